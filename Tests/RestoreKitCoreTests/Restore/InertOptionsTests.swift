import Testing
@testable import RestoreKitCore

/// Options that cannot change a plan's result are named, with the reason.
@Suite struct InertOptionsTests {
    /// A stand-in for a generative backend: denoises (box mean) and reads steps and the semantic prompt.
    struct SteeredBackend: RestorationBackend {
        var name: String { "steered" }
        var reads: Set<RequestOption.ID> { [.steps, .semanticPrompt] }

        func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
            if case .denoise = task { return BoxMean(radius: 1) }
            return nil
        }
    }

    let denoise = RestorationPrompt(denoise: .value(0.05))

    @Test func samplerSettingsWithoutAGenerativeModel() throws {
        let planner = RestorationPlanner(backends: [ClassicBackend()])
        #expect(try planner.plan(denoise, channels: 3).inertOptions.isEmpty)
        let plan = try planner.plan(denoise, channels: 3, request: .with {
            $0.steps = 8
            $0.seed = 3
            try? $0.prompts.set(.semantic, to: "a cat")
        })
        #expect(plan.inertOptions.map { $0.options.map(\.id) } == [[.semanticPrompt, .steps, .seed]])
        #expect(plan.notices { "--" + $0.name }
            == ["--semantic-prompt, --steps and --seed have no effect: no installed model reads them"])
    }

    @Test func aBackendThatReadsThemUsesThem() throws {
        let planner = RestorationPlanner(backends: [SteeredBackend(), ClassicBackend()])
        let request = RestorationRequest.with { $0.steps = 8; $0.guidance = 7 }
        let auto = try planner.plan(denoise, channels: 3, request: request)
        #expect(auto.inertOptions.map { $0.options.map(\.id) } == [[.guidance]])
        var classic = request
        classic.model = "classic"
        let forced = try planner.plan(denoise, channels: 3, request: classic)
        #expect(forced.inertOptions.map(\.reason) == ["no installed model reads it",
                                                      "the models this restoration uses do not read it"])
        #expect(RestorationEngine(backends: [SteeredBackend(), ClassicBackend()]).unusedOptions.map(\.id)
            == [.qualityPrompt, .negativePrompt, .guidance, .seed, .fidelity])
    }

    @Test func strengthOnlyBlendsSameSizeStages() throws {
        let planner = RestorationPlanner(backends: [RecordingBackend(joint: false)])
        let half = RestorationRequest.with { $0.strength = 0.5 }
        #expect(try planner.plan(denoise, channels: 3, request: half).inertOptions.isEmpty)
        let up = try planner.plan(RestorationPrompt(upsample: .value(2)), channels: 3, request: half)
        #expect(up.inertOptions.map { $0.options.map(\.id) } == [[.strength]])
        // A clean image's analysis plans no stage at all.
        #expect(planner.inertOptions(of: half, in: []).map(\.reason) == ["there is nothing to restore"])
    }
}
