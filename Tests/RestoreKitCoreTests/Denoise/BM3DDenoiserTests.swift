import Testing
@testable import RestoreKitCore

/// Debug builds run the denoiser some fifty times slower than release builds,
/// so these tests use small images.
@Suite struct BM3DDenoiserTests {
    func denoise(_ image: Image, sigma: Double, threads: Int = 0, origin: (x: Int, y: Int) = (0, 0)) throws -> Image {
        try BM3DDenoiser(sigma: sigma).restore(tile: image, origin: origin,
                                               context: RestorationContext(threads: threads))
    }

    @Test(arguments: [10.0, 25, 50])
    func grayGainsPSNR(sigma255: Double) throws {
        let clean = DenoiseTestImages.photo(width: 48, height: 40, gray: true)
        let noisy = DenoiseTestImages.noisy(clean, sigma: sigma255 / 255, seed: 7)
        let restored = try denoise(noisy, sigma: sigma255 / 255)
        let before = try PSNR.measure(noisy, reference: clean)
        let after = try PSNR.measure(restored, reference: clean)
        // Texture-rich crop: BM3D gains 4-9 dB here; require a clear margin.
        #expect(after > before + 3.5, "σ \(sigma255): \(before) → \(after) dB")
        #expect(restored.layout == .gray && restored.width == 48 && restored.height == 40)
    }

    @Test(arguments: [10.0, 25, 50])
    func colourGainsPSNR(sigma255: Double) throws {
        let clean = DenoiseTestImages.shapes(width: 40, height: 40)
        let noisy = DenoiseTestImages.noisy(clean, sigma: sigma255 / 255, seed: 11)
        let restored = try denoise(noisy, sigma: sigma255 / 255)
        let before = try PSNR.measure(noisy, reference: clean)
        let after = try PSNR.measure(restored, reference: clean)
        #expect(after > before + 6, "σ \(sigma255): \(before) → \(after) dB")
    }

    @Test func noColourCastOnNeutralImages() throws {
        // Gray content has no chrominance, so filtering must not invent any.
        let clean = DenoiseTestImages.shapes(width: 40, height: 40, neutral: true)
        let restored = try denoise(DenoiseTestImages.noisy(clean, sigma: 0.15, seed: 12), sigma: 0.15)
        let mean = clean.plane(0).reduce(0, +) / Float(clean.planeCount)
        for c in 0 ..< 3 {
            let m = restored.plane(c).reduce(0, +) / Float(clean.planeCount)
            #expect(abs(m - mean) < 0.003, "channel \(c) mean \(mean) → \(m)")
        }
    }

    @Test func grayPictureStoredAsRGBStaysFinite() throws {
        // No chrominance at all: every chroma group thresholds to nothing.
        let clean = DenoiseTestImages.shapes(width: 24, height: 20, neutral: true)
        let restored = try denoise(clean, sigma: 0.05)
        #expect(restored.samples.allSatisfy { $0.isFinite })
        #expect(try PSNR.measure(restored, reference: clean) > 35)
    }

    @Test func photoColourGainsPSNR() throws {
        let clean = DenoiseTestImages.photo(width: 40, height: 32)
        let noisy = DenoiseTestImages.noisy(clean, sigma: 25.0 / 255, seed: 5)
        let after = try PSNR.measure(try denoise(noisy, sigma: 25.0 / 255), reference: clean)
        #expect(after > (try PSNR.measure(noisy, reference: clean)) + 5)
    }

    @Test func sigmaZeroReturnsTheInput() throws {
        let image = DenoiseTestImages.noisy(DenoiseTestImages.shapes(width: 20, height: 12), sigma: 0.1, seed: 1)
        #expect(try denoise(image, sigma: 0) == image)
        #expect(BM3DDenoiser(sigma: 0).halo == 0)
    }

    @Test func rejectsSigmaOutsideTheUnitRange() {
        let image = DenoiseTestImages.shapes(width: 8, height: 8)
        for sigma in [-0.1, 1.5, Double.nan] {
            #expect(throws: RestoreError.self) { try denoise(image, sigma: sigma) }
        }
    }

    @Test func deterministicForAnyThreadCount() throws {
        let noisy = DenoiseTestImages.noisy(DenoiseTestImages.photo(width: 40, height: 48), sigma: 0.08, seed: 2)
        let one = try denoise(noisy, sigma: 0.08, threads: 1)
        #expect(try denoise(noisy, sigma: 0.08, threads: 3) == one)
        #expect(try denoise(noisy, sigma: 0.08, threads: 1) == one)
    }

    @Test func tinyImagesAndAlphaAreHandled() throws {
        let tiny = DenoiseTestImages.noisy(DenoiseTestImages.shapes(width: 5, height: 3), sigma: 0.1, seed: 4)
        let out = try denoise(tiny, sigma: 0.1)
        #expect(out.width == 5 && out.height == 3 && out.layout == .rgb)
        #expect(out.samples.allSatisfy { $0 >= 0 && $0 <= 1 })
        let pixel = try denoise(DenoiseTestImages.shapes(width: 1, height: 1, layout: .gray), sigma: 0.2)
        #expect(pixel.width == 1 && pixel.height == 1)
        // Alpha passes through untouched.
        let rgb = DenoiseTestImages.noisy(DenoiseTestImages.shapes(width: 16, height: 12), sigma: 0.05, seed: 8)
        let alpha = (0 ..< rgb.planeCount).map { Float($0 % 7) / 6 }
        let rgba = try denoise(rgb.withAlpha(alpha), sigma: 0.05)
        #expect(Array(rgba.alpha!) == alpha)
        #expect(rgba.colorOnly == (try denoise(rgb, sigma: 0.05)))
    }

    @Test func cancelStopsAtTheFirstProgressReport() throws {
        let noisy = DenoiseTestImages.noisy(DenoiseTestImages.photo(width: 64, height: 64), sigma: 0.1, seed: 9)
        var calls = 0
        let context = RestorationContext(threads: 2) { _, _ in
            calls += 1
            return .cancel
        }
        let start = monotonicSeconds()
        #expect(throws: RestoreError(.cancelled, "restoration was cancelled")) {
            try BM3DDenoiser(sigma: 0.1).restore(tile: noisy, origin: (0, 0), context: context)
        }
        #expect(calls == 1)
        // A full run of this image takes several seconds in a debug build.
        #expect(monotonicSeconds() - start < 2)
    }

    @Test func reportsProgressUpToOne() throws {
        let noisy = DenoiseTestImages.noisy(DenoiseTestImages.shapes(width: 32, height: 32), sigma: 0.1, seed: 9)
        var fractions: [Double] = []
        let context = RestorationContext(threads: 1) { fraction, _ in
            fractions.append(fraction)
            return .proceed
        }
        _ = try BM3DDenoiser(sigma: 0.1).restore(tile: noisy, origin: (0, 0), context: context)
        #expect(!fractions.isEmpty)
        #expect(fractions == fractions.sorted())
        #expect(fractions.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
