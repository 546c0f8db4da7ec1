import RestoreKitCore

// rkbench sd unet | vae-encode | vae-decode: one model evaluation on NCHW
// float32 .npy inputs (batch 1), written back as NCHW.

/// An NCHW array of batch 1 as a tensor.
private func tensor(_ array: NPYArray, _ name: String) throws -> Tensor {
    guard array.shape.count == 4, array.shape[0] == 1 else {
        throw RestoreError(.invalidArgument, "--\(name) must be a (1, C, H, W) array, not \(array.shape)")
    }
    return try array.values.withUnsafeBufferPointer {
        try Tensor(planar: $0, height: array.shape[2], width: array.shape[3], channels: array.shape[1])
    }
}

/// `--context`, a (1, tokens, channels) array, as a row of tokens.
private func contextTensor(_ arguments: SDArguments) throws -> Tensor {
    let context = try NPYArray.read(arguments.required("context"))
    guard context.shape.count == 3, context.shape[0] == 1 else {
        throw RestoreError(.invalidArgument, "--context must be a (1, tokens, channels) array, not \(context.shape)")
    }
    return try Tensor(interleaved: context.values, height: 1, width: context.shape[1], channels: context.shape[2])
}

/// A tensor as an NCHW array of batch 1.
private func npy(_ tensor: Tensor) -> NPYArray {
    NPYArray(shape: [1, tensor.channels, tensor.height, tensor.width], values: tensor.planar())
}

/// `rkbench sd unet MODEL_DIR --latents F.npy --timestep T --context F.npy --out F.npy
/// [--controlnet DIR --control-image F.npy --control-scale S]`
func sdUNet(_ arguments: SDArguments) throws {
    let latents = try tensor(NPYArray.read(arguments.required("latents")), "latents")
    let tokens = try contextTensor(arguments)
    guard let timestep = Float(try arguments.required("timestep")) else {
        throw RestoreError(.invalidArgument, "--timestep must be a number")
    }
    let threads = try arguments.threads()
    let unet = try UNet(folder: arguments.model() + "/unet", variant: arguments["variant"], loras: arguments.loras())
    let controlNet = try arguments["controlnet"].map { try ControlNet(folder: $0, variant: arguments["variant"]) }
    let controlImage = try arguments["control-image"].map { try tensor(NPYArray.read($0), "control-image") }
    guard (controlNet == nil) == (controlImage == nil) else {
        throw RestoreError(.invalidArgument, "--controlnet and --control-image go together")
    }
    guard let scale = Float(arguments["control-scale"] ?? "1") else {
        throw RestoreError(.invalidArgument, "--control-scale must be a number")
    }
    let out = try sdTimed(arguments) {
        let control = try controlNet.map {
            try $0.residuals(latents, timestep: timestep, context: tokens, image: controlImage!, scale: scale, threads: threads)
        }
        return try unet.predict(latents, timestep: timestep, context: tokens, control: control, threads: threads)
    }
    try npy(out).write(to: arguments.required("out"))
}

/// `rkbench sd vae-encode MODEL_DIR --image F.npy --out F.npy [--tile auto|whole|N]`: the
/// latent mean, unscaled; N latent rows per band.
func sdVAEEncode(_ arguments: SDArguments) throws {
    let image = try tensor(NPYArray.read(arguments.required("image")), "image")
    let threads = try arguments.threads(), tiling = try arguments.tiling()
    let vae = try AutoencoderKL(folder: arguments.model() + "/vae", variant: arguments["variant"])
    let out = try sdTimed(arguments) { try vae.encode(image, tiling: tiling, threads: threads) }
    try npy(out).write(to: arguments.required("out"))
}

/// `rkbench sd vae-decode MODEL_DIR --latents F.npy --out F.npy [--tile auto|whole|N]`:
/// unscaled latents in, image out; N latent rows per band.
func sdVAEDecode(_ arguments: SDArguments) throws {
    let latents = try tensor(NPYArray.read(arguments.required("latents")), "latents")
    let threads = try arguments.threads(), tiling = try arguments.tiling()
    let vae = try AutoencoderKL(folder: arguments.model() + "/vae", variant: arguments["variant"])
    let out = try sdTimed(arguments) { try vae.decode(latents, tiling: tiling, threads: threads) }
    try npy(out).write(to: arguments.required("out"))
}

/// `rkbench sd pass MODEL_DIR --latents F.npy --context F.npy [--timestep T] --out F.npy`:
/// one UNet evaluation and one VAE decode of the latents in one process, both models
/// loaded, for the peak-memory figure (`/usr/bin/time -v`); writes the decoded image.
func sdPass(_ arguments: SDArguments) throws {
    let latents = try tensor(NPYArray.read(arguments.required("latents")), "latents")
    let tokens = try contextTensor(arguments)
    let threads = try arguments.threads()
    let unet = try UNet(folder: arguments.model() + "/unet", variant: arguments["variant"])
    let vae = try AutoencoderKL(folder: arguments.model() + "/vae", variant: arguments["variant"])
    let image = try sdTimed(arguments) {
        _ = try unet.predict(latents, timestep: Float(arguments["timestep"] ?? "500") ?? 500, context: tokens,
                             threads: threads)
        return try vae.decode(latents, threads: threads)
    }
    try npy(image).write(to: arguments.required("out"))
}

/// `rkbench sd one-step MODEL_DIR --image F.npy --prompt TEXT --out F.npy`: OSEDiff's
/// one-step restoration of an image (−1…1, sides multiples of 8), written back in −1…1.
func sdOneStep(_ arguments: SDArguments) throws {
    let image = try tensor(NPYArray.read(arguments.required("image")), "image")
    let prompt = try arguments.required("prompt")
    let threads = try arguments.threads()
    let recipe = try OneStepRecipe(model: StableDiffusionModel(folder: arguments.model(), variant: arguments["variant"],
                                                              loras: arguments.loras()))
    let out = try sdTimed(arguments) { try recipe.restore(image, prompt: prompt, threads: threads) }
    try npy(out).write(to: arguments.required("out"))
}

/// `rkbench sd img2img MODEL_DIR --image F.npy --prompt TEXT [--negative-prompt TEXT] [--steps N]
/// [--strength X] [--guidance G] [--seed S] [--scheduler NAME] [--controlnet DIR [--control-scale S]]
/// [--tile N] --out F.npy`: diffusers' img2img pipeline (the ControlNet one with --controlnet,
/// the image itself conditioning it); image in 0…1 (1, 3, H, W), sides multiples of 8, written
/// back in 0…1 as the pipeline's `output_type="np"`.
func sdImageToImage(_ arguments: SDArguments) throws {
    func number(_ name: String, _ fallback: Double) throws -> Double {
        guard let text = arguments[name] else { return fallback }
        guard let value = Double(text) else {
            throw RestoreError(.invalidArgument, "rkbench sd img2img: --\(name) '\(text)' is not a number")
        }
        return value
    }
    let settings = ImageToImage.Settings(
        steps: try arguments.integer("steps", default: 20), strength: try number("strength", 0.75),
        guidance: try number("guidance", 5.5), seed: try arguments.seed(),
        scheduler: arguments["scheduler"], controlScale: Float(try number("control-scale", 1)),
        tile: try arguments.integer("tile", default: 64))
    try settings.validate()
    if let name = settings.scheduler, !SchedulerFactory.names.contains(name) {
        throw RestoreError(.invalidArgument, "unknown scheduler '\(name)'; expected one of \(SchedulerFactory.names.joined(separator: ", "))")
    }
    let pixels = try tensor(NPYArray.read(arguments.required("image")), "image")
    let image = try Tensor(interleaved: pixels.interleaved().map { 2 * $0 - 1 }, height: pixels.height,
                           width: pixels.width, channels: pixels.channels)
    let threads = try arguments.threads()
    let model = try StableDiffusionModel(folder: arguments.model(), variant: arguments["variant"], loras: arguments.loras())
    let controlNet = try arguments["controlnet"].map { try ControlNet(folder: $0, variant: arguments["variant"]) }
    let pipeline = ImageToImage(model: model, controlNet: controlNet)
    let out = try sdTimed(arguments) {
        try pipeline.run(image, control: controlNet == nil ? nil : pixels, prompt: arguments.required("prompt"),
                         negativePrompt: arguments["negative-prompt"] ?? "", settings: settings, threads: threads)
    }
    try npy(Tensor(interleaved: out.interleaved().map { $0 / 2 + 0.5 }, height: out.height, width: out.width,
                   channels: out.channels)).write(to: arguments.required("out"))
}
