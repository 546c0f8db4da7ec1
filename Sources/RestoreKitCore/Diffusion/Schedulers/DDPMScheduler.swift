#if canImport(Glibc)
import Glibc
#endif

/// Ancestral sampling of denoising diffusion probabilistic models (Ho et al. 2020),
/// diffusers' `DDPMScheduler`: each step draws x₀ from the model output, takes the
/// posterior mean between x₀ and xₜ, and adds the posterior's noise (drawn from the
/// generator at every step whose timestep is above 0).
public struct DDPMScheduler: DiffusionScheduler {
    /// The posterior variance used for the added noise (diffusers' `variance_type`).
    enum Variance: String { case fixedSmall = "fixed_small", fixedSmallLog = "fixed_small_log", fixedLarge = "fixed_large" }

    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int
    let variance: Variance
    /// |x₀| is clipped to this when set (`clip_sample`, `clip_sample_range`).
    let clipRange: Float?

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    public var initNoiseSigma: Float { 1 }

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, terminalFloor: false)
        prediction = try PredictionType.read(config)
        spacing = try TimestepSpacing.read(config, default: .leading)
        offset = try config.integer("steps_offset", default: 0)
        let name = try config.choice("variance_type", default: "fixed_small",
                                     allowed: ["fixed_small", "fixed_small_log", "fixed_large"])
        variance = Variance(rawValue: name)!
        try config.requireOff("thresholding")
        clipRange = try config.flag("clip_sample", default: true)
            ? Float(try config.number("clip_sample_range", default: 1)) : nil
    }

    /// The clean sample x₀ that `modelOutput` at `timestep` predicts from `sample`,
    /// clipped as configured: what `step` returns where the previous ᾱ is 1
    /// (one-step restoration's single step).
    func originalSample(modelOutput: [Float], sample: [Float], timestep: Int) -> [Float] {
        prediction.original(modelOutput, sample, alphaCumprod: schedule.alphasCumprod[timestep], clipRange: clipRange)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.checkSteps(steps, trainSteps: schedule.trainSteps)
        timesteps = spacing.indexTimesteps(trainSteps: schedule.trainSteps, steps: steps, offset: offset)
        stepIndex = 0
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] { sample }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        let t = Int(timesteps[stepIndex])
        let previous = stepIndex + 1 < timesteps.count ? Int(timesteps[stepIndex + 1]) : -1
        let alpha = schedule.alphasCumprod[t]
        let alphaPrevious: Float = previous >= 0 ? schedule.alphasCumprod[previous] : 1
        let beta = 1 - alpha, betaPrevious = 1 - alphaPrevious
        let currentAlpha = alpha / alphaPrevious
        let currentBeta = 1 - currentAlpha

        let original = prediction.original(modelOutput, sample, alphaCumprod: alpha, clipRange: clipRange)

        // The posterior mean μ̃(xₜ, x₀) of q(xₜ₋₁ | xₜ, x₀).
        let originalCoefficient = alphaPrevious.squareRoot() * currentBeta / beta
        let sampleCoefficient = currentAlpha.squareRoot() * betaPrevious / beta
        var previousSample = zip(original, sample).map { x0, x in originalCoefficient * x0 + sampleCoefficient * x }

        if t > 0 {
            let noise = generator.randn(count: sample.count)
            let posterior = max(betaPrevious / beta * currentBeta, 1e-20)
            let scale: Float
            switch variance {
            case .fixedSmall: scale = posterior.squareRoot()
            case .fixedSmallLog: scale = expf(0.5 * logf(posterior))
            case .fixedLarge: scale = currentBeta.squareRoot()
            }
            previousSample = zip(previousSample, noise).map { x, z in x + scale * z }
        }
        stepIndex += 1
        return previousSample
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        return Self.noised(original, noise, alphaCumprod: schedule.alphasCumprod[Int(timesteps[stepIndex])])
    }

    /// √ᾱ·x₀ + √(1 − ᾱ)·ε: the forward process at a training step (float32, as torch).
    static func noised(_ original: [Float], _ noise: [Float], alphaCumprod alpha: Float) -> [Float] {
        let signal = alpha.squareRoot(), noiseScale = (1 - alpha).squareRoot()
        return zip(original, noise).map { x, z in signal * x + noiseScale * z }
    }
}
