/// Euler ancestral sampling (Karras et al.'s k-diffusion `sample_euler_ancestral`),
/// diffusers' `EulerAncestralDiscreteScheduler`: an Euler step down to σ_down, then
/// fresh noise of σ_up from the generator, at every step, the last included, with
/// σ_down² + σ_up² = σ_next².
public struct EulerAncestralScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    /// σ at each timestep, then 0.
    private(set) var sigmas: [Float] = []

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, terminalFloor: true)
        prediction = try PredictionType.read(config, allowed: [.epsilon, .velocity])
        spacing = try TimestepSpacing.read(config, default: .linspace)
        offset = try config.integer("steps_offset", default: 0)
    }

    public var initNoiseSigma: Float { EulerScheduler.initNoiseSigma(sigmas.max() ?? 0, spacing: spacing) }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.checkSteps(steps, trainSteps: schedule.trainSteps)
        let table = schedule.sigmas
        let points = spacing.timesteps(trainSteps: schedule.trainSteps, steps: steps, offset: offset, roundLinspace: false)
        timesteps = points.map { Double(Float($0)) }
        sigmas = points.map { Float(ScheduleArithmetic.interpolate($0, table)) } + [0]
        stepIndex = 0
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] {
        try checkRemaining()
        return EulerScheduler.scaled(sample, sigma: sigmas[stepIndex])
    }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        let sigma = sigmas[stepIndex], next = sigmas[stepIndex + 1]
        let original = EulerScheduler.denoised(modelOutput, sample, sigma: sigma, prediction: prediction)
        let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
        // next² − up² is next⁴/σ²: when σ ≫ next, rounding can leave it below 0, whose root
        // (diffusers takes it as it is) would be NaN.
        let down = max(next * next - up * up, 0).squareRoot()
        let dt = down - sigma
        let noise = generator.randn(count: sample.count)
        stepIndex += 1
        return zip(zip(sample, original), noise).map { pair, z in
            let (x, x0) = pair
            return (x + (x - x0) / sigma * dt) + z * up
        }
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        let sigma = sigmas[stepIndex]
        return zip(original, noise).map { x, z in x + z * sigma }
    }
}
