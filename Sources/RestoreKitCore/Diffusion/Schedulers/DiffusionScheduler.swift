/// A diffusion sampler as diffusers' schedulers define one: the inference timesteps,
/// the scaling of the UNet's input, the update from one noise level to the next given
/// the UNet's output, and the noising of clean latents for img2img.
///
/// Samples and model outputs are flat float32 arrays (NCHW, batch 1), so schedulers
/// need no tensor type. A scheduler keeps diffusers' state: the index of the next
/// step (starting at the begin index) and, for multistep solvers, earlier outputs, so
/// `step` must be called once per timestep, in order. Noise is drawn from the
/// caller's `TorchGenerator`, the one the initial latents came from, as diffusers'
/// pipelines pass one generator throughout.
public protocol DiffusionScheduler: Sendable {
    /// The inference timesteps, noisiest first: the UNet's timestep input at each
    /// step (integers, or fractions for Euler with `linspace` spacing or Karras σ).
    var timesteps: [Double] { get }
    /// The index in `timesteps` of the next `step`.
    var stepIndex: Int { get }
    /// The standard deviation of the initial noise: pipelines multiply the initial
    /// `randn` latents by it.
    var initNoiseSigma: Float { get }

    /// Sets `steps` inference steps and starts over at the first.
    mutating func setTimesteps(_ steps: Int) throws
    /// Starts at timestep `index` instead of the first (diffusers' `set_begin_index`).
    mutating func setBeginIndex(_ index: Int) throws
    /// The UNet's input for the next step: `sample` scaled as the scheduler needs.
    func scaleModelInput(_ sample: [Float]) throws -> [Float]
    /// One denoising step from the next timestep to the one after it, given the UNet's
    /// output for `sample` there; returns the less noisy sample and moves on a step.
    mutating func step(modelOutput: [Float], sample: [Float], generator: inout TorchGenerator) throws -> [Float]
    /// Clean latents `original` noised with `noise` to the next step's noise level
    /// (img2img's starting point; diffusers' `add_noise` at that timestep).
    func addNoise(_ original: [Float], noise: [Float]) throws -> [Float]
}

extension DiffusionScheduler {
    /// img2img's schedule: sets `steps` steps and skips the first ones so that only
    /// `strength` of them remain, as diffusers' `StableDiffusionImg2ImgPipeline.get_timesteps`
    /// does: ⌊steps·strength⌋ steps remain (at most `steps`). Returns the number
    /// remaining; a strength outside [0, 1] or one that leaves no step is an error.
    @discardableResult
    public mutating func setTimesteps(_ steps: Int, strength: Double) throws -> Int {
        guard strength >= 0, strength <= 1 else {
            throw RestoreError(.invalidArgument, "strength \(strength) is outside 0 … 1")
        }
        try setTimesteps(steps)
        let kept = min(Int(Double(steps) * strength), steps)
        let start = max(steps - kept, 0)
        guard start < timesteps.count else {
            throw RestoreError(.invalidArgument, "strength \(strength) leaves none of the \(steps) steps to run")
        }
        try setBeginIndex(start)
        return timesteps.count - start
    }

    /// The timesteps not yet stepped through.
    public var remainingTimesteps: [Double] { Array(timesteps[min(stepIndex, timesteps.count)...]) }

    /// Checks that a step can run: timesteps set, one left, arrays of one size.
    func checkStep(_ modelOutput: [Float], _ sample: [Float]) throws {
        try checkRemaining()
        guard modelOutput.count == sample.count else {
            throw RestoreError(.invalidArgument,
                               "scheduler: the model output has \(modelOutput.count) values, the sample \(sample.count)")
        }
    }

    /// Checks that timesteps are set and one is left.
    func checkRemaining() throws {
        guard !timesteps.isEmpty else {
            throw RestoreError(.invalidArgument, "scheduler: call setTimesteps first")
        }
        guard stepIndex < timesteps.count else {
            throw RestoreError(.invalidArgument, "scheduler: all \(timesteps.count) steps have run")
        }
    }

    /// Checks that a step remains and the two arrays `addNoise` combines match.
    func checkNoise(_ original: [Float], _ noise: [Float]) throws {
        try checkRemaining()
        guard original.count == noise.count else {
            throw RestoreError(.invalidArgument,
                               "scheduler: the latents have \(original.count) values, the noise \(noise.count)")
        }
    }

    /// The index check shared by `setBeginIndex`.
    func checkBeginIndex(_ index: Int) throws {
        guard index >= 0, index < timesteps.count else {
            throw RestoreError(.invalidArgument,
                               "scheduler: begin index \(index) is outside the \(timesteps.count) timesteps")
        }
    }

    /// The step-count check shared by `setTimesteps`.
    static func checkSteps(_ steps: Int, trainSteps: Int) throws {
        guard steps >= 1, steps <= trainSteps else {
            throw RestoreError(.invalidArgument, "scheduler: \(steps) steps; expected 1 … \(trainSteps)")
        }
    }
}
