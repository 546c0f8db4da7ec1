/// Euler's method on the probability-flow ODE in σ (Karras et al. 2022, algorithm 2
/// without churn), diffusers' `EulerDiscreteScheduler`: the sample lives at noise
/// level σ, the UNet sees it scaled by 1/√(σ² + 1), and each step moves along
/// d = (x − x̂₀)/σ to the next σ. Optionally on Karras σ spacing (`use_karras_sigmas`).
public struct EulerScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int
    let karras: Bool
    /// Overrides of the ends of the Karras ramp (`sigma_min`, `sigma_max`).
    let karrasRange: (minimum: Double?, maximum: Double?)
    /// The σ after the last step: 0, or the first training step's σ (`final_sigmas_type`).
    let finalSigmaIsMinimum: Bool

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    /// σ at each timestep, then the final σ.
    private(set) var sigmas: [Float] = []

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, terminalFloor: true)
        prediction = try PredictionType.read(config)
        spacing = try TimestepSpacing.read(config, default: .linspace)
        offset = try config.integer("steps_offset", default: 0)
        karras = try config.flag("use_karras_sigmas", default: false)
        karrasRange = (try config.optionalNumber("sigma_min"), try config.optionalNumber("sigma_max"))
        finalSigmaIsMinimum = try config.choice("final_sigmas_type", default: "zero",
                                                allowed: ["zero", "sigma_min"]) == "sigma_min"
        _ = try config.choice("interpolation_type", default: "linear", allowed: ["linear"])
        _ = try config.choice("timestep_type", default: "discrete", allowed: ["discrete"])
        try config.requireOff("use_exponential_sigmas")
        try config.requireOff("use_beta_sigmas")
    }

    /// The largest σ, or √(σ² + 1) for `leading` spacing, as diffusers defines it.
    public var initNoiseSigma: Float {
        Self.initNoiseSigma(sigmas.max() ?? 0, spacing: spacing)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.checkSteps(steps, trainSteps: schedule.trainSteps)
        let table = schedule.sigmas
        var points = spacing.timesteps(trainSteps: schedule.trainSteps, steps: steps, offset: offset, roundLinspace: false)
        var levels = points.map { ScheduleArithmetic.interpolate($0, table) }
        if karras {
            levels = ScheduleArithmetic.karrasSigmas(minimum: karrasRange.minimum ?? levels[levels.count - 1],
                                                     maximum: karrasRange.maximum ?? levels[0], count: steps)
            let logTable = table.map(ScheduleArithmetic.numpyLog)
            points = levels.map { ScheduleArithmetic.sigmaToTimestep($0, logSigmas: logTable) }
        }
        timesteps = points.map { Double(Float($0)) }
        sigmas = levels.map { Float($0) } + [finalSigmaIsMinimum ? table[0] : 0]
        stepIndex = 0
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] {
        try checkRemaining()
        return Self.scaled(sample, sigma: sigmas[stepIndex])
    }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        let sigma = sigmas[stepIndex]
        let original = Self.denoised(modelOutput, sample, sigma: sigma, prediction: prediction)
        let dt = sigmas[stepIndex + 1] - sigma
        stepIndex += 1
        return zip(sample, original).map { x, x0 in x + (x - x0) / sigma * dt }
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        let sigma = sigmas[stepIndex]
        return zip(original, noise).map { x, z in x + z * sigma }
    }

    /// `initNoiseSigma` for the largest σ of a schedule.
    static func initNoiseSigma(_ largest: Float, spacing: TimestepSpacing) -> Float {
        spacing == .leading ? (largest * largest + 1).squareRoot() : largest
    }

    /// x / √(σ² + 1): the UNet's input at noise level σ.
    static func scaled(_ sample: [Float], sigma: Float) -> [Float] {
        let scale = (sigma * sigma + 1).squareRoot()
        return sample.map { $0 / scale }
    }

    /// x̂₀ from the model output at noise level σ.
    static func denoised(_ modelOutput: [Float], _ sample: [Float], sigma: Float,
                         prediction: PredictionType) -> [Float] {
        switch prediction {
        case .epsilon:
            return zip(sample, modelOutput).map { x, e in x - sigma * e }
        case .velocity:
            let variance = sigma * sigma + 1
            let outputScale = -sigma / variance.squareRoot()
            return zip(sample, modelOutput).map { x, v in v * outputScale + x / variance }
        case .sample:
            return modelOutput
        }
    }
}
