/// Latent consistency model sampling (Luo et al. 2023), diffusers' `LCMScheduler`:
/// each step maps the sample straight to a denoised estimate through the consistency
/// boundary condition (c_skip, c_out) and, except at the last step, noises it again
/// to the next timestep with noise from the generator. Its timesteps are a subset
/// of the `original_inference_steps` schedule the model was distilled on.
public struct LCMScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let originalSteps: Int
    let finalAlphaCumprod: Float
    let clipRange: Float?
    /// The factor from timestep to the boundary condition's time (`timestep_scaling`).
    let timestepScaling: Float

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    public var initNoiseSigma: Float { 1 }

    public init(config: SchedulerConfig) throws {
        schedule = try NoiseSchedule(config, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: "scaled_linear",
                                     terminalFloor: false)
        prediction = try PredictionType.read(config)
        originalSteps = try config.integer("original_inference_steps", default: 50)
        guard originalSteps >= 1, originalSteps <= schedule.trainSteps else {
            throw config.unsupported("original_inference_steps", .number(Double(originalSteps)),
                                     expected: "1 … \(schedule.trainSteps)")
        }
        finalAlphaCumprod = try config.flag("set_alpha_to_one", default: true) ? 1 : schedule.alphasCumprod[0]
        try config.requireOff("thresholding")
        clipRange = try config.flag("clip_sample", default: false)
            ? Float(try config.number("clip_sample_range", default: 1)) : nil
        timestepScaling = Float(try config.number("timestep_scaling", default: 10))
    }

    /// `steps` timesteps taken evenly from the distillation schedule (every
    /// ⌊T/original⌋-th training step, ending one step before each multiple).
    public mutating func setTimesteps(_ steps: Int) throws {
        guard steps >= 1, steps <= originalSteps else {
            throw RestoreError(.invalidArgument, "LCM: \(steps) steps; expected 1 … \(originalSteps)")
        }
        let stride = schedule.trainSteps / originalSteps
        let origin = (1 ... originalSteps).reversed().map { $0 * stride - 1 }
        timesteps = ScheduleArithmetic.linspace(0, Double(origin.count), steps, endpoint: false)
            .map { Double(origin[Int($0.rounded(.down))]) }
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
        let previous = stepIndex + 1 < timesteps.count ? Int(timesteps[stepIndex + 1]) : t
        let alpha = schedule.alphasCumprod[t]
        let alphaPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : finalAlphaCumprod
        let betaPrevious = 1 - alphaPrevious

        // The consistency boundary condition with σ_data = 0.5.
        let scaledTime = Float(t) * timestepScaling
        let skip = 0.25 / (scaledTime * scaledTime + 0.25)
        let out = scaledTime / (scaledTime * scaledTime + 0.25).squareRoot()

        let original = prediction.original(modelOutput, sample, alphaCumprod: alpha, clipRange: clipRange)
        let denoised = zip(original, sample).map { x0, x in out * x0 + skip * x }

        let last = stepIndex == timesteps.count - 1
        stepIndex += 1
        guard !last else { return denoised }
        let noise = generator.randn(count: sample.count)
        let signal = alphaPrevious.squareRoot(), noiseScale = betaPrevious.squareRoot()
        return zip(denoised, noise).map { d, z in signal * d + noiseScale * z }
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        return DDPMScheduler.noised(original, noise, alphaCumprod: schedule.alphasCumprod[Int(timesteps[stepIndex])])
    }
}
