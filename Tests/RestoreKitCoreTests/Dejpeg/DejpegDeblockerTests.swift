import Testing
@testable import RestoreKitCore

@Suite struct DejpegDeblockerTests {
    /// Restoration gains PSNR over the decoded JPEG, gray and colour, at a low
    /// and a moderate quality.
    @Test(arguments: [(10, true), (30, true), (10, false), (30, false)])
    func gainsPSNR(_ quality: Int, _ gray: Bool) throws {
        let original = DejpegTestImages.crop(width: 160, height: 128, gray: gray)
        let (decoded, tables) = try DejpegTestImages.compressed(original, quality: quality)
        let restored = try JPEGDeblocker(quality: quality, tables: tables)
            .restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 2))
        #expect(restored.layout == decoded.layout)
        let before = try PSNR.measure(decoded, reference: original)
        let after = try PSNR.measure(restored, reference: original)
        #expect(after - before > 0.4, "PSNR \(before) → \(after)")
    }

    /// The output quantises to the input's levels: its luma DCT coefficients on
    /// the 8×8 grid, divided by the steps and rounded, equal the input's.
    @Test(arguments: [true, false])
    func keepsQuantisedCoefficients(_ gray: Bool) throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 128, height: 96, gray: gray),
                                                                quality: 20)
        let restored = try JPEGDeblocker(quality: 20, tables: tables)
            .restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 2))
        let before = QuantizationConstraint(observed: DejpegTestImages.lumaPlane(decoded), steps: tables.luma, threads: 1)
        let after = QuantizationConstraint(observed: DejpegTestImages.lumaPlane(restored), steps: tables.luma, threads: 1)
        let changed = zip(before.levels, after.levels).filter { $0 != $1 }.count
        // Gray is exact; colour output is clamped to RGB [0, 1], which may nudge
        // a coefficient of a saturated block over a boundary (none here).
        #expect(changed <= (gray ? 0 : before.levels.count / 1000), "\(changed) of \(before.levels.count) levels changed")
        // And the restoration did change the image.
        #expect(try PSNR.measure(restored, reference: decoded) < 45)
    }

    /// libjpeg itself agrees: the gray output, saved with 8-bit samples and
    /// re-encoded at the same quality, decodes to the very pixels of the input
    /// JPEG (the same file, up to entropy coding).
    @Test func reencodesToSameFile() throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 128, height: 96, gray: true),
                                                                quality: 30)
        let restored = try JPEGDeblocker(quality: 30, tables: tables)
            .restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 2))
        let again = try JPEGCodec.decode(JPEGCodec.encode(restored, quality: 30)).image
        let same = zip(again.interleaved8(), decoded.interleaved8()).filter { $0 == $1 }.count
        #expect(same == decoded.planeCount, "\(same) of \(decoded.planeCount) pixels equal")
    }

    /// A tile restored with `inputRect`'s halo equals the whole-image result on
    /// the tile, bit for bit: colour 4:2:0 (16-pixel grid) and gray 4:4:4 (8).
    @Test(arguments: [(false, ChromaSubsampling.both), (true, ChromaSubsampling.none)])
    func tileEqualsWhole(_ gray: Bool, _ chroma: ChromaSubsampling) throws {
        let (w, h) = (256, 240)
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: w, height: h, gray: gray),
                                                                quality: 20, chroma: chroma)
        let deblocker = JPEGDeblocker(quality: 20, tables: tables, chroma: chroma)
        #expect(deblocker.alignment == (chroma == .none ? 8 : 16))
        let context = RestorationContext(threads: 2)
        let whole = try deblocker.restore(tile: decoded, origin: (0, 0), context: context)
        let output = Rect(x: 108, y: 110, width: 50, height: 34)
        let input = deblocker.inputRect(for: output, inputWidth: w, inputHeight: h)
        #expect(input.x % deblocker.alignment == 0 && input.y % deblocker.alignment == 0)
        #expect(input.x > 0 && input.y > 0 && input.maxX < w && input.maxY < h, "tile \(input) must be interior")
        let tile = try deblocker.restore(decoded.cropped(to: input), at: input, producing: output,
                                         inputWidth: w, inputHeight: h, context: context)
        #expect(tile == whole.cropped(to: output))
    }

    /// Any number of threads gives the same bits.
    @Test func deterministicAcrossThreads() throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 96, height: 144), quality: 20)
        let deblocker = JPEGDeblocker(quality: 20, tables: tables)
        let one = try deblocker.restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 1))
        let three = try deblocker.restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 3))
        #expect(one == three)
    }

    /// A progress handler that answers `.cancel` stops the restoration with
    /// a cancellation error.
    @Test func cancels() throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 160, height: 128), quality: 10)
        var calls = 0
        let context = RestorationContext(threads: 2) { _, _ in
            calls += 1
            return .cancel
        }
        #expect {
            _ = try JPEGDeblocker(quality: 10, tables: tables).restore(tile: decoded, origin: (0, 0), context: context)
        } throws: { ($0 as? RestoreError)?.kind == .cancelled }
        #expect(calls == 1)
    }

    /// Progress goes forward, within 0…1.
    @Test func reportsProgress() throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 160, height: 128), quality: 10)
        var fractions: [Double] = []
        let context = RestorationContext(threads: 2) { fraction, _ in
            fractions.append(fraction)
            return .proceed
        }
        _ = try JPEGDeblocker(quality: 10, tables: tables).restore(tile: decoded, origin: (0, 0), context: context)
        #expect(!fractions.isEmpty)
        #expect(fractions == fractions.sorted() && fractions.allSatisfy { (0 ... 1).contains($0) })
    }

    /// Without file tables the IJG tables of the quality are used; broken
    /// tables are refused.
    @Test func tables() throws {
        #expect(JPEGDeblocker(quality: 40, tables: nil).tables == .ijg(quality: 40))
        let broken = JPEGDeblocker(quality: 40, tables: JPEGTables(luma: [UInt16](repeating: 0, count: 64), chroma: nil))
        #expect(throws: RestoreError.self) {
            _ = try broken.restore(tile: DejpegTestImages.crop(width: 16, height: 16), origin: (0, 0),
                                   context: RestorationContext(threads: 1))
        }
    }

    /// Images smaller than a block, and odd sizes, come back whole and in range.
    @Test(arguments: [(1, 1), (5, 3), (9, 17)])
    func restoresTinyImages(_ width: Int, _ height: Int) throws {
        for gray in [true, false] {
            let (decoded, tables) = try DejpegTestImages.compressed(
                DejpegTestImages.crop(width: width, height: height, gray: gray), quality: 10)
            let restored = try JPEGDeblocker(quality: 10, tables: tables)
                .restore(tile: decoded, origin: (0, 0), context: RestorationContext(threads: 2))
            #expect(restored.width == width && restored.height == height && restored.layout == decoded.layout)
            #expect(restored.samples.allSatisfy { (0 ... 1).contains($0) })
        }
    }

    /// A tile off the block grid is refused rather than deblocked on a wrong grid.
    @Test func refusesTilesOffTheGrid() throws {
        let image = DejpegTestImages.crop(width: 32, height: 32)
        #expect(throws: RestoreError.self) {
            _ = try JPEGDeblocker(quality: 30, tables: nil)
                .restore(tile: image, origin: (8, 0), context: RestorationContext(threads: 1))
        }
        _ = try JPEGDeblocker(quality: 30, tables: nil, chroma: .none)
            .restore(tile: image, origin: (8, 0), context: RestorationContext(threads: 1))
    }
}
