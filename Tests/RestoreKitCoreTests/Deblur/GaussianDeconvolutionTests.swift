import Testing
@testable import RestoreKitCore

private typealias Support = DeblurTestSupport

@Suite("Deblur: Gaussian deconvolution")
struct DeblurGaussianDeconvolutionTests {
    /// Gray gains less: RGB's colour planes take a much stronger prior.
    @Test("restores detail: PSNR gain on gray and RGB crops at σ 1 and 2",
          arguments: [(1.0, 0.005, false, 2.5), (2.0, 0.01, false, 2.2), (1.0, 0.005, true, 1.5), (2.0, 0.01, true, 1.5)])
    func psnrGain(setting: (Double, Double, Bool, Double)) throws {
        let (sigma, noise, gray, minimumGain) = setting
        let sharp = Support.sampleCrop(x: 150, y: 60, width: 96, height: 80, gray: gray)
        let degraded = try Support.degrade(sharp, sigma: sigma, noise: noise)
        let restored = try Support.restore(degraded, with: GaussianDeconvolution(sigma: sigma, noise: noise))
        #expect(restored.layout == sharp.layout)
        let before = try Support.psnr(degraded, sharp), after = try Support.psnr(restored, sharp)
        #expect(after - before > minimumGain, "σ \(sigma) noise \(noise) gray \(gray): \(before) → \(after) dB")
    }

    @Test("noise-free 8-bit input (noise 0 stated) sharpens without blowing up quantisation noise")
    func noNoiseStated() throws {
        let sharp = Support.sampleCrop(x: 200, y: 100, width: 64, height: 64)
        let degraded = try Support.degrade(sharp, sigma: 1.5, noise: 0)
        let restored = try Support.restore(degraded, with: GaussianDeconvolution(sigma: 1.5, noise: 0))
        let before = try Support.psnr(degraded, sharp), after = try Support.psnr(restored, sharp)
        #expect(after - before > 3, "\(before) → \(after) dB")
    }

    @Test("a flat image stays flat, borders included")
    func flatStaysFlat() throws {
        let flat = try Image(width: 50, height: 37, layout: .rgb,
                             samples: [Float](repeating: 0.3, count: 50 * 37) + [Float](repeating: 0.5, count: 50 * 37)
                                 + [Float](repeating: 0.7, count: 50 * 37))
        let restored = try Support.restore(flat, with: GaussianDeconvolution(sigma: 2, noise: 0))
        #expect(Support.maxDifference(restored, flat) < 1e-4)
    }

    @Test("a blurred ramp comes back as the ramp right up to the borders")
    func rampUndisturbedAtBorders() throws {
        let (w, h) = (72, 40)
        var ramp = try Image(width: w, height: h, layout: .gray)
        for y in 0 ..< h {
            for x in 0 ..< w { ramp[x, y, 0] = 0.15 + 0.7 * Float(x) / Float(w - 1) }
        }
        let blurred = ramp.convolved(with: try BlurKernel(.gaussian(sigma: 2)))
        let restored = try Support.restore(blurred, with: GaussianDeconvolution(sigma: 2, noise: 0))
        // Worst error within 4 pixels of a border, and in the interior.
        var border: Float = 0, interior: Float = 0
        for y in 0 ..< h {
            for x in 0 ..< w {
                let error = abs(restored[x, y, 0] - ramp[x, y, 0])
                if min(x, y, w - 1 - x, h - 1 - y) < 4 { border = max(border, error) } else { interior = max(interior, error) }
            }
        }
        #expect(border < 0.01, "border error \(border), interior \(interior)")
        #expect(interior < 0.01, "interior error \(interior)")
    }

    @Test("no ringing next to the borders of a photo")
    func noRingingAtPhotoBorders() throws {
        let sharp = Support.sampleCrop(x: 40, y: 30, width: 90, height: 70, gray: true)
        let degraded = try Support.degrade(sharp, sigma: 2, noise: 0.005)
        let restored = try Support.restore(degraded, with: GaussianDeconvolution(sigma: 2, noise: 0.005))
        // The 6-pixel border band must gain about as much as the whole image.
        func band(_ image: Image) -> [Float] {
            var values: [Float] = []
            for y in 0 ..< image.height {
                for x in 0 ..< image.width where min(x, y, image.width - 1 - x, image.height - 1 - y) < 6 {
                    values.append(image[x, y, 0])
                }
            }
            return values
        }
        func mse(_ a: [Float], _ b: [Float]) -> Double {
            zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(a.count)
        }
        let before = mse(band(degraded), band(sharp)), after = mse(band(restored), band(sharp))
        #expect(after < 0.7 * before, "border band MSE \(before) → \(after)")
    }

    @Test("only the stated blur is removed: extra defocus stays")
    func onlyTheStatedBlur() throws {
        let sharp = Support.sampleCrop(x: 180, y: 80, width: 80, height: 64)
        let defocused = sharp.convolved(with: try BlurKernel(.gaussian(sigma: 1.5)))
        let degraded = Support.quantized(defocused.convolved(with: try BlurKernel(.gaussian(sigma: 1.2))))
        let restored = try Support.restore(degraded, with: GaussianDeconvolution(sigma: 1.2, noise: 0.002))
        let toDefocused = try Support.psnr(restored, defocused), toSharp = try Support.psnr(restored, sharp)
        let degradedToDefocused = try Support.psnr(degraded, defocused)
        #expect(toDefocused > toSharp + 5, "to σa-blurred \(toDefocused) dB, to sharp \(toSharp) dB")
        #expect(toDefocused > degradedToDefocused + 3, "\(degradedToDefocused) → \(toDefocused) dB")
    }

    @Test("tiles with their halo agree with a whole-image restore")
    func tilesMatchWhole() throws {
        let sharp = Support.sampleCrop(x: 60, y: 40, width: 200, height: 150)
        let degraded = try Support.degrade(sharp, sigma: 1.5, noise: 0.01)
        let restorer = GaussianDeconvolution(sigma: 1.5, noise: 0.01)
        let whole = try Support.restore(degraded, with: restorer)
        var tiled = degraded
        let context = RestorationContext(threads: 2)
        for ty in stride(from: 0, to: 150, by: 64) {
            for tx in stride(from: 0, to: 200, by: 80) {
                let output = Rect(x: tx, y: ty, width: min(80, 200 - tx), height: min(64, 150 - ty))
                let input = restorer.inputRect(for: output, inputWidth: 200, inputHeight: 150)
                let tile = try restorer.restore(degraded.cropped(to: input), at: input, producing: output,
                                                inputWidth: 200, inputHeight: 150, context: context)
                tiled.paste(tile, x: tx, y: ty)
            }
        }
        let difference = abs(try Support.psnr(tiled, sharp) - Support.psnr(whole, sharp))
        #expect(difference < 0.05, "PSNR differs by \(difference) dB")
        #expect(Support.maxDifference(tiled, whole) < 0.02)
        #expect(try Support.psnr(tiled, whole) > 55)
    }

    @Test("the result does not depend on the thread count")
    func deterministic() throws {
        let degraded = try Support.degrade(Support.sampleCrop(x: 100, y: 100, width: 45, height: 38), sigma: 1, noise: 0.01)
        let restorer = GaussianDeconvolution(sigma: 1, noise: 0.01)
        #expect(try Support.restore(degraded, with: restorer, threads: 1) == Support.restore(degraded, with: restorer, threads: 3))
    }

    @Test("a progress handler returning .cancel stops it with .cancelled")
    func cancel() throws {
        let degraded = try Support.degrade(Support.sampleCrop(x: 0, y: 0, width: 64, height: 64), sigma: 2, noise: 0.01)
        var calls = 0
        let context = RestorationContext(threads: 1) { _, _ in
            calls += 1
            return .cancel
        }
        do {
            _ = try GaussianDeconvolution(sigma: 2, noise: 0.01).restore(tile: degraded, origin: (0, 0), context: context)
            Issue.record("restore finished despite the cancel")
        } catch let error as RestoreError {
            #expect(error.kind == .cancelled)
        }
        #expect(calls == 1)
    }

    @Test("reports progress up to the end")
    func progress() throws {
        let degraded = try Support.degrade(Support.sampleCrop(x: 0, y: 0, width: 48, height: 40), sigma: 1, noise: 0.01)
        var fractions: [Double] = []
        let context = RestorationContext(threads: 1) { fraction, _ in
            fractions.append(fraction)
            return .proceed
        }
        _ = try GaussianDeconvolution(sigma: 1, noise: 0.01).restore(tile: degraded, origin: (0, 0), context: context)
        #expect(!fractions.isEmpty)
        #expect(fractions == fractions.sorted())
    }

    @Test("σ 0 restores nothing; invalid parameters are invalid arguments")
    func parameters() throws {
        let image = Support.sampleCrop(x: 0, y: 0, width: 20, height: 10)
        #expect(try Support.restore(image, with: GaussianDeconvolution(sigma: 0, noise: 0.01)) == image)
        #expect(GaussianDeconvolution(sigma: 2, noise: 0).halo == 24)
        #expect(GaussianDeconvolution(sigma: 2, noise: 0).outputSize(width: 7, height: 5) == (7, 5))
        for (sigma, noise) in [(-1.0, 0.0), (Double.nan, 0.0), (1.0, -0.1), (1.0, Double.infinity)] {
            #expect {
                try Support.restore(image, with: GaussianDeconvolution(sigma: sigma, noise: noise))
            } throws: { ($0 as? RestoreError)?.kind == .invalidArgument }
        }
    }

    @Test("tiny images work")
    func tinyImages() throws {
        for (w, h) in [(1, 1), (2, 1), (1, 5), (3, 3)] {
            let image = try Image(width: w, height: h, layout: .rgb,
                                  samples: (0 ..< 3 * w * h).map { Float($0 % 7) / 7 })
            let restored = try Support.restore(image, with: GaussianDeconvolution(sigma: 1, noise: 0.01))
            #expect(restored.width == w && restored.height == h)
            #expect(restored.samples.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }
}
