import Testing
@testable import RestoreKitCore

@Suite struct SchedulerTests {
    /// Stable Diffusion 1.5's published scheduler configuration (a PNDM one).
    static let sd15: [String: JSONValue] = [
        "_class_name": .string("PNDMScheduler"), "beta_start": .number(0.00085), "beta_end": .number(0.012),
        "beta_schedule": .string("scaled_linear"), "clip_sample": .bool(false), "num_train_timesteps": .number(1000),
        "set_alpha_to_one": .bool(false), "skip_prk_steps": .bool(true), "steps_offset": .number(1),
        "trained_betas": .null,
    ]

    static func config(_ changes: [String: JSONValue] = [:]) -> SchedulerConfig {
        SchedulerConfig(sd15.merging(changes) { $1 }, source: "test/scheduler_config.json")
    }

    /// Expects `body` to fail with `kind` and a message containing `phrase`.
    static func expectError(_ kind: RestoreError.Kind, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.kind == kind, sourceLocation: sourceLocation)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test func everyNamedSchedulerBuildsFromAPNDMConfiguration() throws {
        for name in SchedulerFactory.names {
            var scheduler = try SchedulerFactory.make(name, config: Self.config())
            try scheduler.setTimesteps(4)
            // PLMS takes its first step twice: one timestep more.
            #expect(scheduler.timesteps.count == (name == "pndm" ? 5 : 4), "\(name)")
            #expect(scheduler.stepIndex == 0)
        }
        #expect(SchedulerFactory.name(of: Self.config()) == "pndm")
        Self.expectError(.invalidArgument, "unknown scheduler 'plms'") {
            _ = try SchedulerFactory.make("plms", config: Self.config())
        }
    }

    @Test func ddimTimestepsAsDiffusers() throws {
        var scheduler = try DDIMScheduler(config: Self.config())
        try scheduler.setTimesteps(50)
        #expect(Array(scheduler.timesteps.prefix(4)) == [981, 961, 941, 921])
        #expect(scheduler.timesteps.last == 1)
    }

    @Test func img2imgStrengthKeepsTheLastSteps() throws {
        var scheduler = try EulerScheduler(config: Self.config())
        #expect(try scheduler.setTimesteps(50, strength: 0.75) == 37)
        #expect(scheduler.stepIndex == 13)
        #expect(scheduler.remainingTimesteps.count == 37)
        // 10 × 0.29 is 2.8999…: two steps remain, as int() truncates in diffusers.
        #expect(try scheduler.setTimesteps(10, strength: 0.29) == 2)
        #expect(try scheduler.setTimesteps(10, strength: 1) == 10)
    }

    @Test func badStepCountsAndStrengthsAreErrors() throws {
        var ddim = try DDIMScheduler(config: Self.config())
        Self.expectError(.invalidArgument, "0 steps") { try ddim.setTimesteps(0) }
        Self.expectError(.invalidArgument, "1001 steps") { try ddim.setTimesteps(1001) }
        Self.expectError(.invalidArgument, "strength 1.5") { try ddim.setTimesteps(10, strength: 1.5) }
        Self.expectError(.invalidArgument, "strength -0.1") { try ddim.setTimesteps(10, strength: -0.1) }
        Self.expectError(.invalidArgument, "leaves none") { try ddim.setTimesteps(10, strength: 0.05) }
        Self.expectError(.invalidArgument, "strength nan") { try ddim.setTimesteps(10, strength: .nan) }
        var lcm = try LCMScheduler(config: Self.config())
        Self.expectError(.invalidArgument, "51 steps") { try lcm.setTimesteps(51) }
    }

    @Test func stepsNeedTimestepsAndMatchingArrays() throws {
        var generator = TorchGenerator(seed: 0)
        var euler = try EulerScheduler(config: Self.config())
        Self.expectError(.invalidArgument, "setTimesteps") {
            _ = try euler.step(modelOutput: [0], sample: [0], generator: &generator)
        }
        try euler.setTimesteps(2)
        Self.expectError(.invalidArgument, "model output has 2 values") {
            _ = try euler.step(modelOutput: [0, 0], sample: [0], generator: &generator)
        }
        Self.expectError(.invalidArgument, "begin index 2") { try euler.setBeginIndex(2) }
        for _ in 0 ..< 2 { _ = try euler.step(modelOutput: [0.5], sample: [1], generator: &generator) }
        Self.expectError(.invalidArgument, "all 2 steps have run") {
            _ = try euler.step(modelOutput: [0], sample: [0], generator: &generator)
        }
    }

    @Test func unsupportedConfigurationValuesNameTheFileAndKey() {
        let cases: [(String, JSONValue, String)] = [
            ("beta_schedule", .string("sigmoid"), "'beta_schedule' is the string \"sigmoid\""),
            ("prediction_type", .string("flow_prediction"), "'prediction_type'"),
            ("timestep_spacing", .number(2), "'timestep_spacing' is the number 2.0; expected a string"),
            ("num_train_timesteps", .number(10.5), "'num_train_timesteps' is the number 10.5; expected an integer"),
            ("trained_betas", .array([.number(0.1)]), "'trained_betas'"),
            ("thresholding", .bool(true), "'thresholding' is true"),
            ("clip_sample", .string("yes"), "'clip_sample'"),
        ]
        for (key, value, phrase) in cases {
            Self.expectError(.model, phrase) { _ = try DDPMScheduler(config: Self.config([key: value])) }
            Self.expectError(.model, "test/scheduler_config.json") {
                _ = try DDPMScheduler(config: Self.config([key: value]))
            }
        }
        // β₀ = 0 leaves ᾱ₀ = 1, where DDIM's variance is 0/0 (config fuzz target).
        for changes: [String: JSONValue] in [["beta_start": .number(0)], ["beta_start": .number(-0.001)],
                                             ["beta_schedule": .string("linear"), "beta_end": .number(1.5)]] {
            Self.expectError(.model, "betas must lie above 0") { _ = try DDIMScheduler(config: Self.config(changes)) }
        }
        Self.expectError(.model, "'solver_order'") {
            _ = try DPMSolverMultistepScheduler(config: Self.config(["solver_order": .number(3)]))
        }
        Self.expectError(.model, "'prediction_type'") {
            _ = try EulerAncestralScheduler(config: Self.config(["prediction_type": .string("sample")]))
        }
        Self.expectError(.model, "'use_beta_sigmas'") {
            _ = try EulerScheduler(config: Self.config(["use_beta_sigmas": .bool(true)]))
        }
    }

    @Test func unknownKeysAreIgnoredAndNullMeansTheDefault() throws {
        var scheduler = try EulerScheduler(config: Self.config(["skip_prk_steps": .bool(true),
                                                                 "timestep_spacing": .null]))
        try scheduler.setTimesteps(3)
        // Euler's own default spacing, linspace: 999, 499.5, 0.
        #expect(scheduler.timesteps == [999, 499.5, 0])
    }

    @Test func trailingSpacingGivesTheStepsAskedFor() throws {
        // 1000/227 makes numpy's arange yield 228 values, the last rounding to a timestep of −1
        // (config fuzz target: DDIM indexed ᾱ out of range); DDPM and DDIM keep the first 227.
        for steps in [227, 61, 20, 7, 1000] {
            var ddim = try DDIMScheduler(config: Self.config(["timestep_spacing": .string("trailing")]))
            var ddpm = try DDPMScheduler(config: Self.config(["timestep_spacing": .string("trailing")]))
            try ddim.setTimesteps(steps)
            try ddpm.setTimesteps(steps)
            for timesteps in [ddim.timesteps, ddpm.timesteps] {
                #expect(timesteps.count == steps && timesteps.first == 999 && timesteps.last! >= 0, "\(steps)")
            }
        }
    }

    @Test func initNoiseSigmaFollowsTheSpacing() throws {
        var leading = try EulerScheduler(config: Self.config(["timestep_spacing": .string("leading")]))
        var trailing = try EulerScheduler(config: Self.config(["timestep_spacing": .string("trailing")]))
        try leading.setTimesteps(10)
        try trailing.setTimesteps(10)
        // diffusers: trailing starts at σ(999) ≈ 14.6146; leading at σ(901) ≈ 8.3907 and
        // takes √(σ² + 1) ≈ 8.4501.
        #expect(abs(trailing.initNoiseSigma - 14.614647) < 1e-5)
        #expect(abs(leading.initNoiseSigma - 8.450067) < 1e-5)
        #expect(try DDIMScheduler(config: Self.config()).initNoiseSigma == 1)
    }
}
