/// OSEDiff's one-step diffusion restoration (Wu et al., NeurIPS 2024): the
/// degraded image, already at the output size, is encoded; one UNet evaluation
/// at the last training timestep (t = 999 of 1000), conditioned on the prompt,
/// is read as a prediction of the clean latent x₀ by the model's DDPM scheduler
/// configuration (what its `step` returns when the previous ᾱ is 1); x₀ is
/// decoded. The latent is the encoder's mean: OSEDiff samples the latent
/// distribution, whose spread is small, and the mean makes the result depend on
/// the image and prompt only.
///
/// With OSEDiff's weights (SD 2.1-base and its LoRAs on the UNet and the VAE
/// encoder) this restores; with a plain Stable Diffusion model it only shows the
/// computation.
public struct OneStepRecipe: Sendable {
    public let model: StableDiffusionModel
    let scheduler: DDPMScheduler

    /// The recipe on `model`, read through its DDPM scheduler configuration.
    public init(model: StableDiffusionModel) throws {
        self.model = model
        scheduler = try DDPMScheduler(config: model.schedulerConfig)
    }

    /// The restored image (height × width × 3, −1…1) of `image` (the same size,
    /// sides multiples of the VAE's 8, values −1…1) as `prompt` describes it.
    public func restore(_ image: Tensor, prompt: String, threads: Int) throws -> Tensor {
        let (vae, unet) = (model.vae, model.unet)
        let context = try model.context(prompt, threads: threads)
        let scale = vae.configuration.scalingFactor
        let mean = try vae.encode(image, threads: threads)
        let (height, width, channels) = (mean.height, mean.width, mean.channels)
        let latents = mean.interleaved().map { $0 * scale }
        let timestep = scheduler.schedule.trainSteps - 1
        let prediction = try unet.predict(Tensor(interleaved: latents, height: height, width: width, channels: channels),
                                          timestep: Float(timestep), context: context, threads: threads)
        let original = scheduler.originalSample(modelOutput: prediction.interleaved(), sample: latents, timestep: timestep)
        let decoded = try vae.decode(Tensor(interleaved: original.map { $0 / scale }, height: height, width: width,
                                            channels: channels), threads: threads)
        return try Tensor(interleaved: decoded.interleaved().map { min(max($0, -1), 1) }, height: decoded.height,
                          width: decoded.width, channels: decoded.channels)
    }
}
