#if canImport(Glibc)
import Glibc
#endif

/// DPM-Solver++ (Lu et al. 2022), multistep, diffusers' `DPMSolverMultistepScheduler`
/// with `algorithm_type` "dpmsolver++": the second-order "2M" solver by default
/// (`solver_order` 1 or 2, midpoint or Heun correction), on the training σ or on
/// Karras σ (`use_karras_sigmas`). Each step converts the output to x̂₀ and keeps it:
/// the update combines the last two, so steps must run in order from the begin index.
public struct DPMSolverMultistepScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int
    let order: Int
    let heun: Bool
    let karras: Bool
    let karrasRange: (minimum: Double?, maximum: Double?)
    /// Karras timesteps are rounded to the nearest training step, except for the
    /// cosine schedule, where diffusers truncates them.
    let roundsKarrasTimesteps: Bool
    let finalSigmaIsMinimum: Bool
    let lowerOrderFinal: Bool
    let eulerAtFinal: Bool
    /// The training steps whose log-SNR λ is below `lambda_min_clipped` are left out.
    let lambdaMinimum: Double?

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    public var initNoiseSigma: Float { 1 }
    /// σ at each timestep, then the final σ.
    private(set) var sigmas: [Float] = []
    /// x̂₀ of the previous step since `setTimesteps`, for the second-order update
    /// (the first step, having none, is first-order).
    private var previousOriginal: [Float]? = nil

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, terminalFloor: true)
        prediction = try PredictionType.read(config)
        spacing = try TimestepSpacing.read(config, default: .linspace)
        offset = try config.integer("steps_offset", default: 0)
        order = try config.integer("solver_order", default: 2)
        guard order == 1 || order == 2 else {
            throw config.unsupported("solver_order", .number(Double(order)), expected: "1, 2")
        }
        // diffusers maps "deis" onto DPM-Solver++ and the UniPC solver types onto midpoint.
        _ = try config.choice("algorithm_type", default: "dpmsolver++", allowed: ["dpmsolver++", "deis"])
        heun = try config.choice("solver_type", default: "midpoint",
                                 allowed: ["midpoint", "heun", "logrho", "bh1", "bh2"]) == "heun"
        karras = try config.flag("use_karras_sigmas", default: false)
        karrasRange = (try config.optionalNumber("sigma_min"), try config.optionalNumber("sigma_max"))
        roundsKarrasTimesteps = config["beta_schedule"]?.string != "squaredcos_cap_v2"
        finalSigmaIsMinimum = try config.choice("final_sigmas_type", default: "zero",
                                                allowed: ["zero", "sigma_min"]) == "sigma_min"
        lowerOrderFinal = try config.flag("lower_order_final", default: true)
        eulerAtFinal = try config.flag("euler_at_final", default: false)
        lambdaMinimum = try config.optionalNumber("lambda_min_clipped")
        if let variance = config["variance_type"] {
            throw config.unsupported("variance_type", variance, expected: "null")
        }
        for key in ["thresholding", "use_lu_lambdas", "use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas",
                    "use_dynamic_shifting"] {
            try config.requireOff(key)
        }
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        let trainSteps = schedule.trainSteps
        try Self.checkSteps(steps, trainSteps: trainSteps)
        let last = trainSteps - clippedSteps()
        var points: [Double]
        switch spacing {
        case .linspace:
            points = Array(ScheduleArithmetic.linspace(0, Double(last - 1), steps + 1).map(ScheduleArithmetic.round)
                .reversed().dropLast())
        case .leading:
            let ratio = last / (steps + 1)
            points = (1 ... steps).reversed().map { Double($0 * ratio + offset) }
        case .trailing:
            points = ScheduleArithmetic.arange(Double(last), 0, -Double(trainSteps) / Double(steps))
                .map { ScheduleArithmetic.round($0) - 1 }
        }
        let table = schedule.sigmas
        var levels: [Double]
        if karras {
            levels = ScheduleArithmetic.karrasSigmas(minimum: karrasRange.minimum ?? Double(table[0]),
                                                     maximum: karrasRange.maximum ?? Double(table[trainSteps - 1]),
                                                     count: steps)
            let logTable = table.map(ScheduleArithmetic.numpyLog)
            points = levels.map { level in
                let point = ScheduleArithmetic.sigmaToTimestep(level, logSigmas: logTable)
                return roundsKarrasTimesteps ? ScheduleArithmetic.round(point) : point
            }
        } else {
            levels = points.map { ScheduleArithmetic.interpolate($0, table) }
        }
        timesteps = points.map { $0.rounded(.towardZero) }
        sigmas = levels.map { Float($0) } + [finalSigmaIsMinimum ? table[0] : 0]
        stepIndex = 0
        previousOriginal = nil
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] { sample }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        let count = timesteps.count
        let finalStep = stepIndex == count - 1
            && (eulerAtFinal || (lowerOrderFinal && count < 15) || !finalSigmaIsMinimum)
        let original = convert(modelOutput, sample)
        let previousSample: [Float]
        if let earlier = previousOriginal, order == 2, !finalStep {
            previousSample = secondOrderUpdate(original, earlier, sample)
        } else {
            previousSample = firstOrderUpdate(original, sample)
        }
        previousOriginal = original
        stepIndex += 1
        return previousSample
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        let (alpha, sigma) = Self.alphaSigma(sigmas[stepIndex])
        return zip(original, noise).map { x, z in alpha * x + sigma * z }
    }

    /// The training steps cut off at the low-noise end by `lambda_min_clipped`.
    private func clippedSteps() -> Int {
        guard let lambdaMinimum else { return 0 }
        // λₜ = ln αₜ − ln σₜ, searched (ascending, from the last training step) for the
        // first value at or above the clip, as torch.searchsorted does.
        let lambdas = schedule.alphasCumprod.reversed().map { cumulative in
            Double(logf(cumulative.squareRoot()) - logf((1 - cumulative).squareRoot()))
        }
        return lambdas.firstIndex { $0 >= lambdaMinimum } ?? lambdas.count
    }

    /// The model output converted to x̂₀ at the current σ.
    private func convert(_ modelOutput: [Float], _ sample: [Float]) -> [Float] {
        let (alpha, sigma) = Self.alphaSigma(sigmas[stepIndex])
        switch prediction {
        case .epsilon: return zip(sample, modelOutput).map { x, e in (x - sigma * e) / alpha }
        case .velocity: return zip(sample, modelOutput).map { x, v in alpha * x - sigma * v }
        case .sample: return modelOutput
        }
    }

    /// The first-order update (DDIM in x̂₀ form) from the current σ to the next.
    private func firstOrderUpdate(_ original: [Float], _ sample: [Float]) -> [Float] {
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas[stepIndex + 1])
        let (alphaS, sigmaS) = Self.alphaSigma(sigmas[stepIndex])
        let h = Self.lambda(alphaT, sigmaT) - Self.lambda(alphaS, sigmaS)
        let sampleScale = sigmaT / sigmaS
        let originalScale = alphaT * (expf(-h) - 1)
        return zip(sample, original).map { x, x0 in sampleScale * x - originalScale * x0 }
    }

    /// The second-order multistep update from the last two x̂₀.
    private func secondOrderUpdate(_ original: [Float], _ earlier: [Float], _ sample: [Float]) -> [Float] {
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas[stepIndex + 1])
        let (alphaS0, sigmaS0) = Self.alphaSigma(sigmas[stepIndex])
        let (alphaS1, sigmaS1) = Self.alphaSigma(sigmas[stepIndex - 1])
        let lambdaT = Self.lambda(alphaT, sigmaT)
        let lambdaS0 = Self.lambda(alphaS0, sigmaS0), lambdaS1 = Self.lambda(alphaS1, sigmaS1)
        let h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1
        let r0 = h0 / h
        let differenceScale = 1 / r0
        let sampleScale = sigmaT / sigmaS0
        let decay = expf(-h) - 1
        let firstScale = alphaT * decay
        let secondScale = heun ? alphaT * (decay / h + 1) : 0.5 * (alphaT * decay)
        return (0 ..< sample.count).map { i in
            let d1 = differenceScale * (original[i] - earlier[i])
            let partial = sampleScale * sample[i] - firstScale * original[i]
            return heun ? partial + secondScale * d1 : partial - secondScale * d1
        }
    }

    /// α = 1/√(σ² + 1) and σ·α: the variance-preserving scales of a σ.
    static func alphaSigma(_ sigma: Float) -> (alpha: Float, sigma: Float) {
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        return (alpha, sigma * alpha)
    }

    /// The log signal-to-noise ratio λ = ln α − ln σ (−∞ at σ = 0).
    static func lambda(_ alpha: Float, _ sigma: Float) -> Float { logf(alpha) - logf(sigma) }
}
