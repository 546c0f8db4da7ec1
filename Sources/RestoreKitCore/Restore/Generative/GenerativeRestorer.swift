/// Generative restoration with an imported Stable Diffusion model, as one
/// whole-image stage:
///
/// - `refine`: the restoration prompt's own restorers (`structure`) make the
///   structure image; img2img from it (`ImageToImage`, its ControlNet
///   conditioned on it) at the request's strength, steps, guidance against the
///   negative prompt, and seed;
/// - `one-step`: the input resampled (bicubic) to the output size, then
///   OSEDiff's single evaluation (`OneStepRecipe`).
///
/// Both are conditioned on the semantic prompt followed by the quality prompt
/// (the analysis' quality sentence when the user left it empty), and the
/// result is projected back onto the restoration prompt's numbers
/// (`ConsistencyProjection`).
struct GenerativeRestorer: WholeImageRestorer {
    let backend: GenerativeBackend
    /// The plan of the restoration prompt's own restorers.
    let structure: RestorationPlan
    let request: RestorationRequest

    var name: String {
        let model = backend.model
        switch model.recipe {
        case .oneStep: return "one-step, \(model.base)"
        case .refine:
            let guidance = request.guidance > 1 ? "guidance \(request.guidance)" : "no guidance"
            return "refine, \(model.base)\(model.controlNet == nil ? "" : " + ControlNet"): \(backend.schedulerLabel) "
                + "\(request.steps) steps at strength \(request.strength), \(guidance), seed \(request.seed)"
        }
    }

    func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        structure.outputSize(width: width, height: height)
    }

    var conditioning: String { structure.generativeConditioning }

    /// The latent tile side: the request's tile size in latent pixels (8 image
    /// pixels each, at least 16), else 64 (512 pixels, what SD 1.5 and 2.1-base
    /// were trained on).
    var latentTile: Int { request.tileSize > 0 ? max(16, request.tileSize / 8) : 64 }

    func restore(image: Image, context: RestorationContext) throws -> Image {
        let (ow, oh) = outputSize(width: image.width, height: image.height)
        let recipe = backend.model.recipe
        let loaded = try backend.loaded()
        let base: Image
        var share = 0.0
        switch recipe {
        case .refine:
            share = structure.stages.isEmpty ? 0 : 0.15
            base = structure.stages.isEmpty ? image
                : try RestorationExecutor().run(structure, on: image, context: context.scoped(0, share, stage: "structure"))
        case .oneStep:
            base = (ow, oh) == (image.width, image.height) ? image
                : try image.resized(width: ow, height: oh, filter: .bicubic)
        }
        let generation = context.scoped(share, 0.95, stage: "generate")
        let (pixels, size) = try Self.tensor(base, multiple: loaded.model.vae.configuration.downscale)
        let progress: (Double) throws -> Void = { try generation.report($0) }
        let generated: Tensor
        switch recipe {
        case .refine:
            let control = try loaded.controlNet.map { _ in
                try Tensor(interleaved: pixels.interleaved().map { $0 / 2 + 0.5 }, height: pixels.height,
                           width: pixels.width, channels: 3)
            }
            let settings = ImageToImage.Settings(steps: request.steps, strength: request.strength,
                                                 guidance: request.guidance, seed: request.seed,
                                                 scheduler: backend.scheduler, tile: latentTile, overlap: latentTile / 4)
            generated = try ImageToImage(model: loaded.model, controlNet: loaded.controlNet)
                .run(pixels, control: control, prompt: conditioning, negativePrompt: request.prompts.negative,
                     settings: settings, threads: context.threads, progress: progress)
        case .oneStep:
            generated = try OneStepRecipe(model: loaded.model)
                .restore(pixels, prompt: conditioning, tile: latentTile, overlap: latentTile / 4, threads: context.threads,
                         progress: progress)
        }
        let result = try Self.image(generated, width: size.width, height: size.height)
        return try ConsistencyProjection(prompt: structure.prompt, fidelity: request.fidelity)
            .project(result, onto: image, context: context.scoped(0.95, 1, stage: "consistency"))
    }

    /// `image` (RGB, 0…1) as a −1…1 tensor whose sides are padded to multiples
    /// of `multiple` by repeating the last row and column; and the image's size.
    static func tensor(_ image: Image, multiple: Int) throws -> (Tensor, (width: Int, height: Int)) {
        let w = (image.width + multiple - 1) / multiple * multiple
        let h = (image.height + multiple - 1) / multiple * multiple
        var planes = [Float](repeating: 0, count: 3 * w * h)
        for c in 0 ..< 3 {
            for y in 0 ..< h {
                let sy = min(y, image.height - 1)
                for x in 0 ..< w {
                    planes[(c * h + y) * w + x] = 2 * image.samples[(c * image.height + sy) * image.width
                        + min(x, image.width - 1)] - 1
                }
            }
        }
        let tensor = try planes.withUnsafeBufferPointer { try Tensor(planar: $0, height: h, width: w, channels: 3) }
        return (tensor, (image.width, image.height))
    }

    /// The top-left `width` × `height` of a −1…1 tensor as an RGB image in 0…1.
    static func image(_ tensor: Tensor, width: Int, height: Int) throws -> Image {
        let planes = tensor.planar()
        var samples = [Float](repeating: 0, count: 3 * width * height)
        for c in 0 ..< 3 {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    samples[(c * height + y) * width + x] =
                        min(max(planes[(c * tensor.height + y) * tensor.width + x] / 2 + 0.5, 0), 1)
                }
            }
        }
        return try Image(width: width, height: height, layout: .rgb, samples: samples)
    }
}
