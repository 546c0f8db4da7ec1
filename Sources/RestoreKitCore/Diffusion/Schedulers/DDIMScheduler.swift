/// Denoising diffusion implicit models (Song et al. 2020), diffusers' `DDIMScheduler`:
/// each step predicts x₀ and ε and moves to the previous timestep along the
/// deterministic (η = 0) or partly stochastic (η > 0) DDIM update.
public struct DDIMScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int
    /// ᾱ before the first training step: 1 with `set_alpha_to_one`, else ᾱ₀.
    let finalAlphaCumprod: Float
    let clipRange: Float?
    /// The stochasticity η of the update (the DDIM pipelines' `eta`; 0 by default).
    public var eta: Float = 0

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    /// The steps asked of `setTimesteps`: the stride to the previous timestep is
    /// ⌊T/steps⌋ whatever the spacing, as in diffusers.
    private var steps = 0
    public var initNoiseSigma: Float { 1 }

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, terminalFloor: false)
        prediction = try PredictionType.read(config)
        spacing = try TimestepSpacing.read(config, default: .leading)
        offset = try config.integer("steps_offset", default: 0)
        finalAlphaCumprod = try config.flag("set_alpha_to_one", default: true) ? 1 : schedule.alphasCumprod[0]
        try config.requireOff("thresholding")
        clipRange = try config.flag("clip_sample", default: true)
            ? Float(try config.number("clip_sample_range", default: 1)) : nil
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.checkSteps(steps, trainSteps: schedule.trainSteps)
        timesteps = spacing.indexTimesteps(trainSteps: schedule.trainSteps, steps: steps, offset: offset)
        self.steps = steps
        stepIndex = 0
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] { sample }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        guard eta >= 0, eta.isFinite else {
            throw RestoreError(.invalidArgument, "DDIM: eta \(eta) must be 0 or more")
        }
        let t = Int(timesteps[stepIndex])
        let previous = t - schedule.trainSteps / steps
        let alpha = schedule.alphasCumprod[t]
        let alphaPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : finalAlphaCumprod
        let beta = 1 - alpha
        let sqrtAlpha = alpha.squareRoot(), sqrtBeta = beta.squareRoot()

        let original = prediction.original(modelOutput, sample, alphaCumprod: alpha, clipRange: clipRange)
        let epsilon: [Float]
        switch prediction {
        case .epsilon: epsilon = modelOutput
        case .velocity: epsilon = zip(sample, modelOutput).map { x, v in sqrtAlpha * v + sqrtBeta * x }
        case .sample: epsilon = zip(sample, modelOutput).map { x, x0 in (x - sqrtAlpha * x0) / sqrtBeta }
        }

        // σₜ(η) of the DDIM paper's eq. 16.
        let variance = ((1 - alphaPrevious) / beta) * (1 - alpha / alphaPrevious)
        let deviation = eta * variance.squareRoot()
        let directionScale = ((1 - alphaPrevious) - deviation * deviation).squareRoot()
        let signal = alphaPrevious.squareRoot()
        var previousSample = zip(original, epsilon).map { x0, e in signal * x0 + directionScale * e }
        if eta > 0 {
            let noise = generator.randn(count: sample.count)
            previousSample = zip(previousSample, noise).map { x, z in x + deviation * z }
        }
        stepIndex += 1
        return previousSample
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        return DDPMScheduler.noised(original, noise, alphaCumprod: schedule.alphasCumprod[Int(timesteps[stepIndex])])
    }
}
