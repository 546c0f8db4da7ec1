import Testing
@testable import RestoreKitCore

/// Plug-and-play deblurring with the installed FFDNet weights (skipped when
/// they are not installed: `restorekit models fetch`).
@Suite struct PlugAndPlayDeblurrerTests {
    typealias Support = DeblurTestSupport
    static let models = ModelDirectory(path: ModelDirectory.defaultPath)
    static let installed = models.isInstalled(ModelCatalog.ffdnet)
    static let skip = Comment(rawValue: "the FFDNet models are not installed in \(ModelDirectory.defaultPath) "
        + "(restorekit models fetch); skipping the plug-and-play deblurring tests")

    static func restorer(sigma: Double, noise: Double) throws -> PlugAndPlayDeblurrer {
        try PlugAndPlayDeblurrer(sigma: sigma, noise: noise, colors: 3, models: models)
    }

    static func restore(_ image: Image, with restorer: some LocalRestorer) throws -> Image {
        try restorer.restore(tile: image, origin: (0, 0), context: RestorationContext(threads: 2))
    }

    @Test("the schedule falls log-linearly from 49/255 to twice the noise, the data weight rising to λ(σ)/4")
    func schedule() {
        let levels = PlugAndPlayDeblurrer.schedule(noise: 0.01, sigma: 2)
        #expect(levels.count == PlugAndPlayDeblurrer.maximumIterations)
        #expect(abs(levels[0].sigma - 49.0 / 255) < 1e-12 && abs(levels.last!.sigma - 0.02) < 1e-12)
        #expect(zip(levels, levels.dropFirst()).allSatisfy { $0.sigma > $1.sigma && $0.alpha < $1.alpha })
        #expect(abs(levels.last!.alpha - PlugAndPlayDeblurrer.dataWeight(sigma: 2) / 4) < 1e-12)
        #expect(abs(PlugAndPlayDeblurrer.schedule(noise: 0, sigma: 1).last!.sigma - 2.0 / 255) < 1e-12)
    }

    @Test("a schedule that spans less takes fewer steps (each at most √2, at least three), within FFDNet's range")
    func shorterSchedules() {
        #expect(PlugAndPlayDeblurrer.schedule(noise: 0, sigma: 1.5).count == 8)
        let demo = PlugAndPlayDeblurrer.schedule(noise: 0.04, sigma: 1.5)
        #expect(demo.count == 4)
        #expect(zip(demo, demo.dropFirst()).allSatisfy { $0.sigma / $1.sigma <= 2.0.squareRoot() + 1e-12 })
        for noise in [0.1, FFDNetRestorer.maximumSigma] {
            let strong = PlugAndPlayDeblurrer.schedule(noise: noise, sigma: 1)
            #expect(strong.count == 3 && strong.allSatisfy { $0.sigma <= FFDNetRestorer.maximumSigma })
        }
    }

    @Test("the data weight falls with the blur: 0.23 at σ 1, 0.1 at σ 2 and wider, at most 0.5")
    func dataWeight() {
        #expect(abs(PlugAndPlayDeblurrer.dataWeight(sigma: 1) - 0.23) < 1e-12)
        #expect(abs(PlugAndPlayDeblurrer.dataWeight(sigma: 2) - 0.1) < 0.001)
        #expect(PlugAndPlayDeblurrer.dataWeight(sigma: 4) == 0.1 && PlugAndPlayDeblurrer.dataWeight(sigma: 0.3) == 0.5)
        #expect(PlugAndPlayDeblurrer.dataWeight(sigma: 1.5) < PlugAndPlayDeblurrer.dataWeight(sigma: 1.2))
    }

    @Test("σ 1.5 + noise 0.01: beats the classic deconvolution", .enabled(if: installed, skip))
    func beatsClassic() throws {
        let sharp = Support.sampleCrop(x: 150, y: 60, width: 80, height: 80)
        let degraded = try Support.degrade(sharp, sigma: 1.5, noise: 0.01)
        let classic = try Support.psnr(Self.restore(degraded, with: GaussianDeconvolution(sigma: 1.5, noise: 0.01)), sharp)
        let pnp = try Support.psnr(Self.restore(degraded, with: Self.restorer(sigma: 1.5, noise: 0.01)), sharp)
        #expect(pnp > classic + 0.3, "plug-and-play \(pnp) dB, classic \(classic) dB")
    }

    @Test("only the stated blur is removed: extra defocus stays", .enabled(if: installed, skip))
    func onlyTheStatedBlur() throws {
        let sharp = Support.sampleCrop(x: 180, y: 80, width: 64, height: 64)
        let defocused = sharp.convolved(with: try BlurKernel(.gaussian(sigma: 1.5)))
        let degraded = Support.quantized(defocused.convolved(with: try BlurKernel(.gaussian(sigma: 1.2))))
        let restored = try Self.restore(degraded, with: Self.restorer(sigma: 1.2, noise: 0))
        let toDefocused = try Support.psnr(restored, defocused), toSharp = try Support.psnr(restored, sharp)
        let degradedToDefocused = try Support.psnr(degraded, defocused)
        #expect(toDefocused > toSharp + 5, "to σa-blurred \(toDefocused) dB, to sharp \(toSharp) dB")
        #expect(toDefocused > degradedToDefocused + 3, "\(degradedToDefocused) → \(toDefocused) dB")
    }

    @Test("tiles with their halo agree with a whole-image restore", .enabled(if: installed, skip))
    func tilesMatchWhole() throws {
        // Gray and a strip, to stay fast in a debug build: two tiles split
        // across x, each with its full halo inside the image.
        let (w, h) = (184, 24)
        let sharp = Support.sampleCrop(x: 120, y: 90, width: w, height: h, gray: true)
        let degraded = try Support.degrade(sharp, sigma: 1.5, noise: 0.01)
        let restorer = try PlugAndPlayDeblurrer(sigma: 1.5, noise: 0.01, colors: 1, models: Self.models)
        let whole = try Self.restore(degraded, with: restorer)
        var tiled = degraded
        let context = RestorationContext(threads: 2)
        for output in [Rect(x: 0, y: 0, width: w / 2, height: h), Rect(x: w / 2, y: 0, width: w - w / 2, height: h)] {
            let input = restorer.inputRect(for: output, inputWidth: w, inputHeight: h)
            #expect(input.width < w, "the tile's input \(input) is the whole image")
            let tile = try restorer.restore(degraded.cropped(to: input), at: input, producing: output,
                                            inputWidth: w, inputHeight: h, context: context)
            tiled.paste(tile, x: output.x, y: output.y)
        }
        let worst = Support.maxDifference(tiled, whole)
        #expect(worst <= 2.0 / 255, "max |tiled − whole| \(worst * 255) / 255")
    }
}
