/// Stable Diffusion image-to-image as diffusers' `StableDiffusionImg2ImgPipeline`
/// computes it, and with a ControlNet as `StableDiffusionControlNetImg2ImgPipeline`:
/// the image's latent sample (the VAE's mean plus its spread times `randn`),
/// scaled, noised to the first timestep of a schedule cut to `strength`, denoised
/// step by step with classifier-free guidance against the negative prompt, and
/// decoded. One `TorchGenerator` seeded with `seed` draws every random number in
/// the pipeline's order, so a seed gives the pipeline's image.
///
/// Latents larger than a tile are denoised in overlapping tiles whose predictions
/// are blended at every step (`LatentTiles`); latents within one tile are
/// computed exactly as the pipeline computes them.
public struct ImageToImage: Sendable {
    /// The sampler's settings.
    public struct Settings: Sendable, Equatable {
        /// Steps of the whole schedule; `strength` of them run.
        public var steps: Int
        /// The share of the schedule that runs (0…1): how much noise the image
        /// gets before denoising, so how far the result may move from it.
        public var strength: Double
        /// Classifier-free guidance scale; at most 1 runs no unconditional pass,
        /// so the negative prompt then changes nothing.
        public var guidance: Double
        /// The seed of every random number drawn.
        public var seed: UInt64
        /// A `SchedulerFactory` name; nil: the model's own scheduler.
        public var scheduler: String?
        /// The ControlNet's conditioning scale.
        public var controlScale: Float
        /// Latent tile side (8 image pixels each) and the least overlap of two tiles.
        public var tile: Int
        public var overlap: Int

        public init(steps: Int = 20, strength: Double = 0.75, guidance: Double = 5.5, seed: UInt64 = 0,
                    scheduler: String? = nil, controlScale: Float = 1, tile: Int = 64, overlap: Int = 16) {
            self.steps = steps
            self.strength = strength
            self.guidance = guidance
            self.seed = seed
            self.scheduler = scheduler
            self.controlScale = controlScale
            self.tile = tile
            self.overlap = overlap
        }

        /// Throws for a setting outside its range, naming it.
        public func validate() throws {
            guard steps >= 1 else { throw RestoreError(.invalidArgument, "steps \(steps): at least 1 is needed") }
            guard strength >= 0, strength <= 1 else {
                throw RestoreError(.invalidArgument, "strength \(strength) is outside 0 … 1")
            }
            guard guidance.isFinite, guidance >= 0 else {
                throw RestoreError(.invalidArgument, "guidance \(guidance) must be a number of at least 0")
            }
            guard controlScale.isFinite else {
                throw RestoreError(.invalidArgument, "the ControlNet scale \(controlScale) is not a number")
            }
            guard tile >= 8, overlap >= 0, overlap <= tile / 2 else {
                throw RestoreError(.invalidArgument,
                                   "latent tile \(tile) with overlap \(overlap): the tile must be at least 8 and the overlap 0 … tile / 2")
            }
        }
    }

    public let model: StableDiffusionModel
    public let controlNet: ControlNet?

    public init(model: StableDiffusionModel, controlNet: ControlNet? = nil) {
        self.model = model
        self.controlNet = controlNet
    }

    /// The scheduler `settings` asks for: the model's own when it names none (nil
    /// when the model's class is not one RestoreKit has).
    func scheduler(_ settings: Settings) throws -> (any DiffusionScheduler)? {
        guard let name = settings.scheduler ?? SchedulerFactory.name(of: model.schedulerConfig) else { return nil }
        return try SchedulerFactory.make(name, config: model.schedulerConfig)
    }

    /// The image (height × width × 3, −1…1) made from `image` (the same shape,
    /// sides multiples of the VAE's downscale, values −1…1) as `prompt` describes
    /// it, steered away from `negativePrompt`; `control` (the same size, 0…1)
    /// conditions the ControlNet and is needed exactly when there is one.
    /// `progress` receives the fraction done (0…1) about every layer and may throw
    /// to stop.
    public func run(_ image: Tensor, control: Tensor? = nil, prompt: String, negativePrompt: String,
                    settings: Settings, threads: Int, progress: ((Double) throws -> Void)? = nil) throws -> Tensor {
        try settings.validate()
        let downscale = model.vae.configuration.downscale
        guard image.channels == 3, image.height % downscale == 0, image.width % downscale == 0 else {
            throw RestoreError(.invalidArgument, "img2img takes a 3-channel image whose sides are multiples of \(downscale), not \(image.shapeDescription)")
        }
        guard (controlNet == nil) == (control == nil) else {
            throw RestoreError(.invalidArgument, controlNet == nil ? "a control image needs a ControlNet"
                                   : "the ControlNet needs a control image")
        }
        if let control, control.height != image.height || control.width != image.width || control.channels != 3 {
            throw RestoreError(.invalidArgument, "the control image \(control.shapeDescription) differs from the image \(image.shapeDescription)")
        }
        guard var scheduler = try self.scheduler(settings) else {
            throw RestoreError(.unsupported, "the model's scheduler (\(model.schedulerConfig.className ?? "unnamed")) is not one RestoreKit has; choose one of \(SchedulerFactory.names.joined(separator: ", "))")
        }
        try scheduler.setTimesteps(settings.steps, strength: settings.strength)

        let (height, width) = (image.height / downscale, image.width / downscale)
        let tiles = LatentTiles(height: height, width: width, tile: settings.tile, overlap: settings.overlap)
        let guided = settings.guidance > 1
        // Costs in UNet evaluations of one latent pixel (VAE encode and decode as
        // measured at 512², a ControlNet about half a UNet).
        let area = Double(height * width)
        let evaluation = controlNet == nil ? 1.0 : 1.5
        let tiled = Double(tiles.coveredArea)
        let meter = WorkMeter(total: area * 2 + tiled * evaluation * (guided ? 2 : 1)
                                  * Double(scheduler.remainingTimesteps.count), report: progress)

        let denoiser = TiledDenoiser(model: model, controlNet: controlNet, tiles: tiles, threads: threads)
        let context = try model.context(prompt, threads: threads)
        let unconditional = guided ? try model.context(negativePrompt, threads: threads) : nil
        var generator = TorchGenerator(seed: settings.seed)
        let scale = model.vae.configuration.scalingFactor

        let (mean, deviation) = try meter.part(area * 0.6, kind: "encode") { tick in
            try model.vae.latentDistribution(image, tile: AutoencoderKL.tileSide, overlap: AutoencoderKL.tileOverlap,
                                             threads: threads,
                                             onLayer: tick)
        }
        let channels = mean.channels
        let (m, s) = (mean.planar(), deviation.planar())
        let draw = generator.randn(count: m.count)
        var latents = (0 ..< m.count).map { scale * (m[$0] + s[$0] * draw[$0]) }
        latents = try scheduler.addNoise(latents, noise: generator.randn(count: latents.count))

        while scheduler.stepIndex < scheduler.timesteps.count {
            let timestep = Float(scheduler.timesteps[scheduler.stepIndex])
            let input = try scheduler.scaleModelInput(latents)
            let prediction = try denoiser.predict(input, channels: channels, timestep: timestep, context: context,
                                                  unconditional: unconditional, guidance: Float(settings.guidance),
                                                  control: control, controlScale: settings.controlScale, meter: meter)
            latents = try scheduler.step(modelOutput: prediction, sample: latents, generator: &generator)
        }

        let unscaled = try latents.map { $0 / scale }.withUnsafeBufferPointer {
            try Tensor(planar: $0, height: height, width: width, channels: channels)
        }
        let decoded = try meter.part(area * 1.4, kind: "decode") { tick in
            try model.vae.decode(unscaled, tile: AutoencoderKL.tileSide, overlap: AutoencoderKL.tileOverlap,
                                 threads: threads, onLayer: tick)
        }
        for i in 0 ..< decoded.count { decoded.pointer[i] = min(max(decoded.pointer[i], -1), 1) }
        return decoded
    }
}
