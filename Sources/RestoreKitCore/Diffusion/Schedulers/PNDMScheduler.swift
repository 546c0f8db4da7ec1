/// Pseudo numerical methods for diffusion models (Liu et al. 2022) as Stable
/// Diffusion 1.x configures diffusers' `PNDMScheduler` (`skip_prk_steps`): the
/// linear multistep (PLMS) part, whose first step is taken twice (once with its
/// own prediction, once with the mean of that and the next one's) and whose
/// later steps combine the last two to four predictions (Adams–Bashforth).
/// The Runge–Kutta warm-up (`skip_prk_steps` false) is not implemented; the
/// "pndm" name of `SchedulerFactory` sets `skip_prk_steps`, as SD 1.x ships it.
public struct PNDMScheduler: DiffusionScheduler {
    let schedule: NoiseSchedule
    let prediction: PredictionType
    let spacing: TimestepSpacing
    let offset: Int
    /// ᾱ before the first training step: 1 with `set_alpha_to_one`, else ᾱ₀.
    let finalAlphaCumprod: Float

    public private(set) var timesteps: [Double] = []
    public private(set) var stepIndex = 0
    private var steps = 0
    /// Steps taken since `setTimesteps`, the earlier predictions (at most 4) and
    /// the sample the doubled first step starts from again.
    private var counter = 0
    private var outputs: [[Float]] = []
    private var firstSample: [Float]?
    public var initNoiseSigma: Float { 1 }

    public init(config: SchedulerConfig) throws {
        // diffusers' PNDM has no zero-SNR rescaling: it ignores that key.
        schedule = try NoiseSchedule(config.setting("rescale_betas_zero_snr", .bool(false)), terminalFloor: false)
        prediction = try PredictionType.read(config)
        guard prediction != .sample else {
            throw config.unsupported("prediction_type", .string("sample"), expected: "epsilon, v_prediction")
        }
        spacing = try TimestepSpacing.read(config, default: .leading)
        offset = try config.integer("steps_offset", default: 0)
        finalAlphaCumprod = try config.flag("set_alpha_to_one", default: false) ? 1 : schedule.alphasCumprod[0]
        guard try config.flag("skip_prk_steps", default: false) else {
            throw config.unsupported("skip_prk_steps", .bool(false), expected: "true (PLMS)")
        }
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.checkSteps(steps, trainSteps: schedule.trainSteps)
        // diffusers' PLMS list: every timestep, the second repeated (the doubled first step).
        let base = spacing.timesteps(trainSteps: schedule.trainSteps, steps: steps, offset: offset, roundLinspace: true)
        timesteps = base.count > 1 ? [base[0], base[1]] + base.dropFirst() : base
        self.steps = steps
        stepIndex = 0
        counter = 0
        outputs = []
        firstSample = nil
    }

    public mutating func setBeginIndex(_ index: Int) throws {
        try checkBeginIndex(index)
        stepIndex = index
    }

    public func scaleModelInput(_ sample: [Float]) throws -> [Float] { sample }

    public mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float] {
        try checkStep(modelOutput, sample)
        var t = Int(timesteps[stepIndex])
        let stride = schedule.trainSteps / steps
        var previous = t - stride
        if counter != 1 {
            outputs = Array(outputs.suffix(3)) + [modelOutput]
        } else {
            (previous, t) = (t, t + stride)
        }
        var x = sample
        let combined: [Float]
        switch (outputs.count, counter) {
        case (1, 0):
            combined = modelOutput
            firstSample = sample
        case (1, 1):
            combined = zip(modelOutput, outputs[0]).map { ($0 + $1) / 2 }
            x = firstSample ?? sample
            firstSample = nil
        case (2, _):
            let (e1, e2) = (outputs[1], outputs[0])
            combined = (0 ..< e1.count).map { (3 * e1[$0] - e2[$0]) / 2 }
        case (3, _):
            let (e1, e2, e3) = (outputs[2], outputs[1], outputs[0])
            combined = (0 ..< e1.count).map { (23 * e1[$0] - 16 * e2[$0] + 5 * e3[$0]) / 12 }
        default:
            let (e1, e2, e3, e4) = (outputs[3], outputs[2], outputs[1], outputs[0])
            let sixth = Float(1.0 / 24.0)
            combined = (0 ..< e1.count).map { sixth * (55 * e1[$0] - 59 * e2[$0] + 37 * e3[$0] - 9 * e4[$0]) }
        }
        let result = try previousSample(x, t, previous, combined)
        counter += 1
        stepIndex += 1
        return result
    }

    /// ᾱ at training step `t`, counted from the end when negative as numpy indexes
    /// (trailing spacing's last timestep can be −1, and diffusers' PNDM keeps it).
    private func alphaCumprod(_ t: Int) throws -> Float {
        let count = schedule.alphasCumprod.count
        guard t >= -count, t < count else {
            throw RestoreError(.invalidArgument, "PNDM: timestep \(t) is outside the \(count) training steps")
        }
        return schedule.alphasCumprod[t >= 0 ? t : count + t]
    }

    /// The sample at `previous` from `sample` at `t` along `output` (ε, or v turned into ε).
    private func previousSample(_ sample: [Float], _ t: Int, _ previous: Int, _ output: [Float]) throws -> [Float] {
        let alpha = try alphaCumprod(t)
        let alphaPrevious = previous >= 0 ? try alphaCumprod(previous) : finalAlphaCumprod
        let beta = 1 - alpha, betaPrevious = 1 - alphaPrevious
        var epsilon = output
        if prediction == .velocity {
            let (a, b) = (alpha.squareRoot(), beta.squareRoot())
            epsilon = zip(output, sample).map { a * $0 + b * $1 }
        }
        let sampleScale = (alphaPrevious / alpha).squareRoot()
        let denominator = alpha * betaPrevious.squareRoot() + (alpha * beta * alphaPrevious).squareRoot()
        let difference = alphaPrevious - alpha
        return zip(sample, epsilon).map { sampleScale * $0 - difference * $1 / denominator }
    }

    public func addNoise(_ original: [Float], noise: [Float]) throws -> [Float] {
        try checkNoise(original, noise)
        return DDPMScheduler.noised(original, noise, alphaCumprod: try alphaCumprod(Int(timesteps[stepIndex])))
    }
}
