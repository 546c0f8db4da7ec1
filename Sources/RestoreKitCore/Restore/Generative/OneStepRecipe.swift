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
    /// Latents wider than `tile` are predicted in tiles overlapping by
    /// `overlap` and blended; `progress` receives the fraction done at each
    /// layer and may throw to stop.
    public func restore(_ image: Tensor, prompt: String, tile: Int = 64, overlap: Int = 16, threads: Int,
                        progress: ((Double) throws -> Void)? = nil) throws -> Tensor {
        let vae = model.vae
        let downscale = vae.configuration.downscale
        guard image.channels == 3, image.height % downscale == 0, image.width % downscale == 0 else {
            throw RestoreError(.invalidArgument, "the one-step recipe takes a 3-channel image whose sides are multiples of \(downscale), not \(image.shapeDescription)")
        }
        let (height, width) = (image.height / downscale, image.width / downscale)
        let tiles = LatentTiles(height: height, width: width, tile: tile, overlap: overlap)
        let area = Double(height * width)
        let meter = WorkMeter(total: area * 2 + Double(tiles.coveredArea), report: progress)
        let context = try model.context(prompt, threads: threads)
        let scale = vae.configuration.scalingFactor
        let mean = try meter.part(area * 0.6, kind: "encode") {
            try vae.latentDistribution(image, tile: AutoencoderKL.tileSide, overlap: AutoencoderKL.tileOverlap,
                                       threads: threads, onLayer: $0).mean
        }
        let latents = mean.planar().map { $0 * scale }
        let timestep = scheduler.schedule.trainSteps - 1
        let prediction = try TiledDenoiser(model: model, controlNet: nil, tiles: tiles, threads: threads)
            .predict(latents, channels: mean.channels, timestep: Float(timestep), context: context, unconditional: nil,
                     guidance: 1, control: nil, controlScale: 1, meter: meter)
        let original = scheduler.originalSample(modelOutput: prediction, sample: latents, timestep: timestep)
        let unscaled = try original.map { $0 / scale }.withUnsafeBufferPointer {
            try Tensor(planar: $0, height: height, width: width, channels: mean.channels)
        }
        let decoded = try meter.part(area * 1.4, kind: "decode") {
            try vae.decode(unscaled, tile: AutoencoderKL.tileSide, overlap: AutoencoderKL.tileOverlap, threads: threads,
                           onLayer: $0)
        }
        for i in 0 ..< decoded.count { decoded.pointer[i] = min(max(decoded.pointer[i], -1), 1) }
        return decoded
    }
}
