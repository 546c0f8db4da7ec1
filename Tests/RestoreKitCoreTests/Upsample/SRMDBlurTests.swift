import Testing
@testable import RestoreKitCore

/// The installed SRMD models honour a stated blur: "Deblur with sigma S,
/// Upsample to F" feeds the code of the Gaussian of σ S, which restores an
/// image damaged that way better than the delta code does. Needs the models
/// (`make models`; `$RESTOREKIT_MODELS`, else ~/.local/share/restorekit/models).
@Suite struct SRMDBlurTests {
    static let models = ModelDirectory(path: ModelDirectory.defaultPath)
    static let installed = models.isInstalled(ModelCatalog.srmd)
    static let skip = Comment(rawValue: "the SRMD models are not installed in \(ModelDirectory.defaultPath) "
                                        + "(make models, or set RESTOREKIT_MODELS)")

    static let prompt = RestorationPrompt(deblur: .value(1.2), upsample: .value(2))

    @Test(.enabled(if: installed, skip))
    func statedBlurWithUpsamplingRunsSRMDWithItsKernel() throws {
        let plan = try RestorationPlanner(backends: LearnedBackends.installed(in: Self.models))
            .plan(Self.prompt, channels: 3)
        #expect(plan.stages.map(\.task) == [.upsample(factor: 2, blur: 1.2, noise: 0)])
        let srmd = try #require(plan.stages.first?.restorer as? SRMDRestorer)
        #expect(srmd.blur == 1.2 && srmd.factor == 2 && srmd.noise == 0)
        // Beyond the trained range (σ 2 at ×2) the classic back-projection takes the whole blur.
        let beyond = try RestorationPlanner(backends: LearnedBackends.installed(in: Self.models) + [ClassicBackend()])
            .plan(RestorationPrompt(deblur: .value(2.5), upsample: .value(2)), channels: 3)
        #expect(beyond.stages.map(\.task) == [.upsample(factor: 2, blur: 2.5, noise: 0)])
        #expect(beyond.stages.map(\.backend) == ["classic"])
    }

    /// A part of the sample photo (fur, whiskers, an eye) blurred with σ 1.2 and
    /// bicubically halved, as the prompt's degradation makes it.
    @Test(.enabled(if: installed, skip))
    func kernelCodeBeatsTheDeltaCode() throws {
        let truth = TestSupport.crop(TestSupport.sample, x: 150, y: 60, width: 160, height: 128)
        let low = try PromptDegradation.apply(Self.prompt, to: truth).image
        let context = RestorationContext(threads: 2)
        func psnr(blur: Double) throws -> Double {
            let srmd = try SRMDRestorer(factor: 2, blur: blur, noise: 0, models: Self.models)
            let plan = RestorationPlan(stages: [PlannedStage(task: .upsample(factor: 2, blur: blur, noise: 0),
                                                             restorer: srmd, backend: "srmd")],
                                       prompt: Self.prompt)
            return try PSNR.measure(RestorationExecutor().run(plan, on: low, context: context), reference: truth,
                                    channels: .lumaY, crop: 2)
        }
        let delta = try psnr(blur: 0), gaussian = try psnr(blur: 1.2)
        #expect(gaussian - delta >= 0.5, "Y PSNR: delta code \(delta) dB, σ 1.2 code \(gaussian) dB")
    }

    /// ×2.5 runs SRMD ×3, its code that of the blur on the ×3 grid, and shrinks
    /// the output: regions agree with the whole image, and the result beats the
    /// classic path on the same damage.
    @Test(.enabled(if: installed, skip))
    func otherFactorsResampleTheNextNetworkUp() throws {
        let prompt = RestorationPrompt(deblur: .value(1.2), upsample: .value(2.5))
        let truth = TestSupport.crop(TestSupport.sample, x: 180, y: 80, width: 100, height: 80)
        let low = try PromptDegradation.apply(prompt, to: truth).image
        let context = RestorationContext(threads: 2)
        let plan = try RestorationPlanner(backends: LearnedBackends.installed(in: Self.models) + [ClassicBackend()])
            .plan(prompt, channels: 3)
        let srmd = try #require(plan.stages.first?.restorer as? SRMDRestorer)
        #expect(plan.stages.count == 1 && srmd.networkFactor == 3)
        let whole = try RestorationExecutor().run(plan, on: low, tileSize: 256, context: context)
        let tiled = try RestorationExecutor().run(plan, on: low, tileSize: 32, context: context)
        #expect(whole.width == 100 && whole.height == 80)
        let difference = zip(whole.samples, tiled.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(difference < 1e-4, "tiles differ from the whole image by \(difference)")
        let classic = try RestorationExecutor().run(RestorationPlanner(backends: [ClassicBackend()])
            .plan(prompt, channels: 3), on: low, context: context)
        let learned = try PSNR.measure(whole, reference: truth, channels: .lumaY, crop: 3)
        let weightFree = try PSNR.measure(classic, reference: truth, channels: .lumaY, crop: 3)
        #expect(learned > weightFree, "Y PSNR: SRMD ×3 resampled \(learned) dB, classic \(weightFree) dB")
    }
}
