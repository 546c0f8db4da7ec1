import Testing
@testable import RestoreKitCore

/// JPEG deblocking with FFDNet within the quantisation constraint, with the
/// installed FFDNet weights (skipped when they are not installed:
/// `restorekit models fetch`).
@Suite struct PlugAndPlayDeblockerTests {
    static let models = ModelDirectory(path: ModelDirectory.defaultPath)
    static let installed = models.isInstalled(ModelCatalog.ffdnet)
    static let skip = Comment(rawValue: "the FFDNet models are not installed in \(ModelDirectory.defaultPath) "
        + "(restorekit models fetch); skipping the plug-and-play deblocking tests")
    static let context = RestorationContext(threads: 2)

    /// The restored `image`, compressed at `quality` with `chroma`, by the
    /// plug-and-play and by the classic deblocker.
    static func restored(_ decoded: Image, quality: Int, tables: JPEGTables,
                         chroma: ChromaSubsampling = .both) throws -> (learned: Image, classic: Image) {
        let learned = try PlugAndPlayDeblocker(quality: quality, tables: tables, chroma: chroma, models: models)
            .restore(tile: decoded, origin: (0, 0), context: context)
        let classic = try JPEGDeblocker(quality: quality, tables: tables, chroma: chroma)
            .restore(tile: decoded, origin: (0, 0), context: context)
        return (learned, classic)
    }

    @Test("FFDNet's noise levels follow the steps: 0.5 and 1.4 × the classic σ, within FFDNet's range")
    func noiseLevels() {
        for q in [1, 10, 30, 90] {
            let steps = JPEGTables.ijg(quality: q).luma
            let predicted = LumaDeblocking(steps: steps).sigma / 255
            let expected = [0.5 * predicted, 1.4 * predicted].map { min($0, Float(FFDNetRestorer.maximumSigma)) }
            #expect(zip(PlugAndPlayDeblocker.sigmas(steps: steps), expected).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        #expect(PlugAndPlayDeblocker.sigmas(steps: JPEGTables.ijg(quality: 10).luma)[0]
            > PlugAndPlayDeblocker.sigmas(steps: JPEGTables.ijg(quality: 30).luma)[0])
        #expect(PlugAndPlayDeblocker.sigmas(steps: [UInt16](repeating: 32767, count: 64))
            == [Float](repeating: Float(FFDNetRestorer.maximumSigma), count: 2))
    }

    @Test("gains PSNR over the JPEG and over the classic deblocker", .enabled(if: installed, skip),
          arguments: [(10, true), (30, true), (10, false)])
    func beatsClassic(_ quality: Int, _ gray: Bool) throws {
        let original = DejpegTestImages.crop(width: 128, height: 96, gray: gray)
        let (decoded, tables) = try DejpegTestImages.compressed(original, quality: quality)
        let (learned, classic) = try Self.restored(decoded, quality: quality, tables: tables)
        #expect(learned.layout == decoded.layout)
        let before = try PSNR.measure(decoded, reference: original)
        let viaClassic = try PSNR.measure(classic, reference: original)
        let after = try PSNR.measure(learned, reference: original)
        #expect(after > before + 0.8 && after > viaClassic + 0.1,
                "JPEG \(before) dB, classic \(viaClassic) dB, plug-and-play \(after) dB")
    }

    /// The output quantises to the input's levels: its luma DCT coefficients on
    /// the 8×8 grid, divided by the steps and rounded, equal the input's, also
    /// after rounding to 8 bits (the constraint's margin).
    @Test("stays inside the quantisation constraint", .enabled(if: installed, skip), arguments: [true, false])
    func keepsQuantisedCoefficients(_ gray: Bool) throws {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 128, height: 96, gray: gray),
                                                                quality: 20)
        let (learned, _) = try Self.restored(decoded, quality: 20, tables: tables)
        let saved = try learned.interleaved8().withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: learned.width, height: learned.height, layout: learned.layout)
        }
        let before = QuantizationConstraint(observed: DejpegTestImages.lumaPlane(decoded), steps: tables.luma, threads: 1)
        let after = QuantizationConstraint(observed: DejpegTestImages.lumaPlane(saved), steps: tables.luma, threads: 1)
        let changed = zip(before.levels, after.levels).filter { $0 != $1 }.count
        // Colour output is converted to RGB, clamped and rounded, which may nudge
        // a coefficient over a boundary; gray is exact.
        #expect(changed <= (gray ? 0 : before.levels.count / 1000), "\(changed) of \(before.levels.count) levels changed")
        #expect(try PSNR.measure(learned, reference: decoded) < 45)
    }

    @Test("a tile with its halo equals the whole-image restore", .enabled(if: installed, skip),
          arguments: [(true, ChromaSubsampling.none), (false, ChromaSubsampling.both)])
    func tileMatchesWhole(_ gray: Bool, _ chroma: ChromaSubsampling) throws {
        // Each output region lies a full halo (69 gray, 98 colour) inside the image.
        let (w, h) = gray ? (192, 176) : (320, 240)
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: w, height: h, gray: gray),
                                                                quality: 20, chroma: chroma)
        let deblocker = try PlugAndPlayDeblocker(quality: 20, tables: tables, chroma: chroma, models: Self.models)
        let whole = try deblocker.restore(tile: decoded, origin: (0, 0), context: Self.context)
        let output = gray ? Rect(x: 88, y: 80, width: 20, height: 18) : Rect(x: 150, y: 116, width: 20, height: 18)
        let input = deblocker.inputRect(for: output, inputWidth: w, inputHeight: h)
        #expect(input.x % deblocker.alignment == 0 && input.y % deblocker.alignment == 0)
        #expect(input.x > 0 && input.y > 0 && input.maxX < w && input.maxY < h, "tile \(input) must be interior")
        let tile = try deblocker.restore(decoded.cropped(to: input), at: input, producing: output,
                                         inputWidth: w, inputHeight: h, context: Self.context)
        let worst = zip(tile.samples, whole.cropped(to: output).samples).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(worst <= 0.05 / 255, "max |tiled − whole| \(worst * 255) / 255")
    }

    @Test("the ffdnet backend deblocks with it, gray and colour, with the file's tables", .enabled(if: installed, skip))
    func backendHandsItOut() throws {
        let tables = JPEGTables(luma: JPEGTables.ijg(quality: 25).luma, chroma: nil, subsampling: .none)
        let backend = try #require(LearnedBackends.installed(in: Self.models).first { $0.name == "ffdnet" })
        for channels in [1, 3] {
            let restorer = try #require(try backend.restorer(for: .dejpeg(quality: 40, tables: tables), request: RestorationRequest(), channels: channels))
            let deblocker = try #require(restorer as? PlugAndPlayDeblocker)
            #expect(deblocker.tables.luma == tables.luma && deblocker.chroma == .none && deblocker.quality == 40)
        }
    }

    @Test("a tile off the block grid is refused", .enabled(if: installed, skip))
    func refusesTilesOffTheGrid() throws {
        let image = DejpegTestImages.crop(width: 32, height: 32)
        let error = #expect(throws: RestoreError.self) {
            _ = try PlugAndPlayDeblocker(quality: 30, tables: nil, models: Self.models)
                .restore(tile: image, origin: (8, 0), context: Self.context)
        }
        #expect(error?.message.contains("16-pixel block grid") == true)
    }

    @Test("without the FFDNet model: an error naming the fetch command")
    func modelMissing() throws {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        let error = #expect(throws: RestoreError.self) {
            try PlugAndPlayDeblocker(quality: 30, tables: nil, models: ModelDirectory(path: folder))
        }
        #expect(error?.message.contains("is not installed") == true)
        #expect(error?.message.contains(ModelCatalog.fetchCommand) == true)
    }
}
