import Testing
@testable import RestoreKitCore

@Suite struct RestorationPlannerTests {
    let demo = RestorationPrompt(deblur: .value(1.5), denoise: .value(0.04), dejpeg: .value(40))

    @Test func inverseOfSPIREOrderWithoutJointSolvers() throws {
        let backend = RecordingBackend(joint: false)
        let plan = try RestorationPlanner(backends: [backend]).plan(demo, channels: 3)
        let residual = RestorationPlanner.residualNoise(afterDenoising: 0.04, dejpegQuality: 40)
        #expect(plan.stages.map(\.task) == [.dejpeg(quality: 40, tables: nil), .denoise(sigma: 0.04),
                                            .deblur(sigma: 1.5, noise: residual)])
        #expect(plan.stages.map(\.backend) == ["test", "test", "test"])
    }

    @Test func jointDeblurReplacesDenoise() throws {
        let plan = try RestorationPlanner(backends: [RecordingBackend(joint: true)]).plan(demo, channels: 3)
        #expect(plan.stages.map(\.task) == [.dejpeg(quality: 40, tables: nil), .deblurDenoise(sigma: 1.5, noise: 0.04)])
    }

    @Test func upsampleWithStatedBlur() throws {
        let prompt = RestorationPrompt(deblur: .value(1.2), upsample: .value(2), denoise: .value(0.02))
        let joint = try RestorationPlanner(backends: [RecordingBackend(joint: true)]).plan(prompt, channels: 1)
        let residual = 0.4 * 0.02
        #expect(joint.stages.map(\.task) == [.denoise(sigma: 0.02), .upsample(factor: 2, blur: 1.2, noise: residual)])
        let split = try RestorationPlanner(backends: [RecordingBackend(joint: false)]).plan(prompt, channels: 1)
        #expect(split.stages.map(\.task) == [.denoise(sigma: 0.02), .upsample(factor: 2, blur: 0, noise: residual),
                                             .deblur(sigma: 1.2, noise: residual)])
        #expect(split.outputSize(width: 10, height: 7) == (20, 14))
    }

    /// A noise profile goes to a backend that follows it; one that cannot
    /// (the classic floor) removes the mid-grey σ.
    @Test func noiseProfileFallsBackToTheMidGreySigma() throws {
        let profile = NoiseProfile(tones: [.shadows: 0.06, .highlights: 0.02])
        let prompt = RestorationPrompt(denoise: .value(0.04), denoiseProfile: profile)
        let following = try RestorationPlanner(backends: [RecordingBackend(joint: true)]).plan(prompt, channels: 3)
        #expect(following.stages.map(\.task) == [.denoiseProfile(sigma: 0.04, profile: profile)])
        let other = try RestorationPlanner(backends: [RecordingBackend(joint: false)]).plan(prompt, channels: 3)
        #expect(other.stages.map(\.task) == [.denoise(sigma: 0.04)])
    }

    @Test func residualNoiseOfEarlierStages() {
        #expect(RestorationPlanner.residualNoise(afterDenoising: 0, dejpegQuality: nil) == 0)
        #expect(abs(RestorationPlanner.residualNoise(afterDenoising: 0.05, dejpegQuality: nil) - 0.02) < 1e-12)
        // Coarser quantisation leaves more: quality 20 more than 40 more than 70.
        let q = [20, 40, 70].map { RestorationPlanner.residualNoise(afterDenoising: 0, dejpegQuality: $0) }
        #expect(q[0] > q[1] && q[1] > q[2] && q[2] > 0)
    }

    @Test func preferenceOrderAndModelChoice() throws {
        let learned = RecordingBackend(name: "learned", joint: true)
        let classic = RecordingBackend(name: "classic", joint: false)
        let planner = RestorationPlanner(backends: [learned, classic])
        #expect(try planner.plan(demo, channels: 3).stages.allSatisfy { $0.backend == "learned" })
        let forced = try planner.plan(demo, channels: 3, request: .with { $0.model = "classic" })
        #expect(forced.stages.allSatisfy { $0.backend == "classic" })
        let error = #expect(throws: RestoreError.self) {
            try planner.plan(demo, channels: 3, request: .with { $0.model = "nope" })
        }
        #expect(error?.kind == .model)
        #expect(error?.message == "unknown model 'nope'; available: auto, learned, classic")
    }

    @Test(arguments: [
        (RestorationPrompt(), "an empty restoration prompt is estimated"),
        (RestorationPrompt(removeAllDegradation: true), "'Remove all degradation' at the same size"),
        (RestorationPrompt(denoise: .estimate), "'Denoise' without a number is estimated"),
        (RestorationPrompt(deblur: .value(1), dejpeg: .estimate), "'Dejpeg' without a number"),
    ])
    func estimatesNeedTheAnalysis(_ prompt: RestorationPrompt, _ message: String) {
        let error = #expect(throws: RestoreError.self) {
            try RestorationPlanner(backends: [RecordingBackend(joint: false)]).plan(prompt, channels: 3)
        }
        #expect(error?.kind == .needsAnalysis)
        #expect(error?.message.hasPrefix(message) == true)
        #expect(error?.message.contains("analysed first") == true)
    }

    /// An analysis that found blur 1.3 (stated as 1.2 after the margin), noise
    /// 0.05 and JPEG quality 60 (or nothing).
    static func analysis(clean: Bool = false) -> DegradationAnalysis {
        DegradationAnalysis(
            noise: NoiseEstimate(sigma: clean ? 0.001 : 0.05, confidence: 1, byBrightness: [], signalDependent: false),
            blur: BlurEstimate(sigma: clean ? 0.3 : 1.3, confidence: 1, edges: 100, smoothing: 0),
            jpeg: JPEGEstimate(quality: clean ? nil : 60, confidence: 1, source: clean ? nil : .pixels, exact: false,
                               gridOffset: clean ? nil : (0, 0)),
            upsampling: UpsamplingEstimate(factor: 1, confidence: 1))
    }

    @Test func theAnalysisFillsWhatThePromptLeavesOpen() throws {
        let planner = RestorationPlanner(backends: [RecordingBackend(joint: false)])
        let found = Self.analysis()
        let empty = try planner.plan(RestorationPrompt(), channels: 3, analysis: found)
        #expect(empty.prompt == RestorationPrompt(deblur: .value(1.2), denoise: .value(0.05), dejpeg: .value(60)))
        #expect(empty.analysis == found && empty.stages.count == 3)
        let bare = try planner.plan(RestorationPrompt(deblur: .value(2), denoise: .estimate), channels: 3, analysis: found)
        #expect(bare.prompt == RestorationPrompt(deblur: .value(2), denoise: .value(0.05)))
        let stated = try planner.plan(RestorationPrompt(denoise: .value(0.02)), channels: 3, analysis: found)
        #expect(stated.prompt == RestorationPrompt(denoise: .value(0.02)) && stated.analysis == nil)
        // A clean image: nothing to restore, no stages.
        let clean = try planner.plan(RestorationPrompt(removeAllDegradation: true), channels: 3,
                                     analysis: Self.analysis(clean: true))
        #expect(clean.prompt.isEmpty && clean.stages.isEmpty)
        #expect(clean.outputSize(width: 9, height: 5) == (9, 5))
    }

    @Test func blindRestorationIsOneStageWhenABackendHasIt() throws {
        let planner = RestorationPlanner(backends: [LearnedStandInBackend(), RecordingBackend(name: "classic", joint: false)])
        let same = try planner.plan(RestorationPrompt(removeAllDegradation: true), channels: 3,
                                    request: .with { $0.model = "learned" })
        #expect(same.stages.map(\.task) == [.blind(scale: 1)] && same.stages[0].backend == "learned")
        #expect(same.stages[0].label == "remove all degradation (box, learned)")
        // At the same size the automatic choice asks the analysis instead.
        let error = #expect(throws: RestoreError.self) {
            try planner.plan(RestorationPrompt(removeAllDegradation: true), channels: 3)
        }
        #expect(error?.kind == .needsAnalysis)
        let enlarged = try planner.plan(RestorationPrompt(upsample: .value(4), denoise: .estimate,
                                                          removeAllDegradation: true), channels: 1)
        #expect(enlarged.stages.map(\.task) == [.blind(scale: 4)])
        #expect(enlarged.outputSize(width: 10, height: 7) == (40, 28))
        // The classic floor alone cannot: the analyser must fill the prompt in.
        for backends in [[RecordingBackend(joint: true)] as [any RestorationBackend], [LearnedStandInBackend()]] {
            let error = #expect(throws: RestoreError.self) {
                // Refused before any analysis: no estimate gives the output size.
                try RestorationPlanner(backends: backends).plan(RestorationPrompt(upsample: .estimate, removeAllDegradation: true),
                                                                channels: 3)
            }
            #expect(error?.kind == .invalidPrompt)
        }
        let classic = #expect(throws: RestoreError.self) {
            try planner.plan(RestorationPrompt(removeAllDegradation: true), channels: 3,
                             request: .with { $0.model = "classic" })
        }
        #expect(classic?.kind == .needsAnalysis)
    }

    @Test func upsampleWithStatedNoiseUsesAJointSolver() throws {
        let planner = RestorationPlanner(backends: [LearnedStandInBackend(), RecordingBackend(name: "classic", joint: false)])
        let joint = try planner.plan(RestorationPrompt(upsample: .value(3), denoise: .value(0.05)), channels: 3)
        #expect(joint.stages.map(\.task) == [.upsampleDenoise(factor: 3, blur: 0, noise: 0.05)])
        #expect(joint.stages[0].backend == "learned")
        // Without a joint solver for the factor, denoise first, then enlarge.
        let split = try planner.plan(RestorationPrompt(upsample: .value(5), denoise: .value(0.05)), channels: 3)
        #expect(split.stages.map(\.task) == [.denoise(sigma: 0.05), .upsample(factor: 5, blur: 0, noise: 0.4 * 0.05)])
        let forced = try planner.plan(RestorationPrompt(upsample: .value(3), denoise: .value(0.05)), channels: 3,
                                      request: .with { $0.model = "classic" })
        #expect(forced.stages.allSatisfy { $0.backend == "classic" })
    }

    @Test func badOptionsAreRefused() {
        let planner = RestorationPlanner(backends: [RecordingBackend(joint: false)])
        let bad: [RestorationRequest] = [.with { $0.strength = 1.5 }, .with { $0.strength = .nan },
                                         .with { $0.tileSize = 8193 }, .with { $0.threads = -1 },
                                         .with { $0.steps = 0 }, .with { $0.guidance = 30.5 },
                                         .with { $0.seed = 1 << 32 }]
        for request in bad {
            #expect(throws: RestoreError.self) { try planner.plan(demo, channels: 3, request: request) }
        }
    }
}
