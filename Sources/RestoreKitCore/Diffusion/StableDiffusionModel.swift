/// The parts of a Stable Diffusion pipeline that restoration recipes run: the
/// tokenizer and text encoder, the UNet, the VAE and the scheduler configuration,
/// as a diffusers folder holds them.
public final class StableDiffusionModel: Sendable {
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextEncoder
    public let unet: UNet
    public let vae: AutoencoderKL
    /// The model's own `scheduler/scheduler_config.json`.
    public let schedulerConfig: SchedulerConfig

    /// The parts of the diffusers folder `folder` (`tokenizer/`, `text_encoder/`,
    /// `unet/`, `vae/`, `scheduler/`), each file of `variant` (e.g. "fp16") where
    /// given, with `loras` merged into the UNet and the text encoder.
    public init(folder: String, variant: String? = nil, loras: [(LoRA, scale: Float)] = []) throws {
        tokenizer = try CLIPTokenizer(folder: folder + "/tokenizer")
        textEncoder = try CLIPTextEncoder(folder: folder + "/text_encoder", variant: variant, loras: loras)
        unet = try UNet(folder: folder + "/unet", variant: variant, loras: loras)
        vae = try AutoencoderKL(folder: folder + "/vae", variant: variant)
        schedulerConfig = try SchedulerConfig.read(folder + "/scheduler/scheduler_config.json")
    }

    /// The parts of the single-file checkpoint `checkpoint` with `tokenizer`
    /// (such files carry none), `loras` merged into the UNet and the text encoder.
    public init(checkpoint: SingleFileCheckpoint, tokenizer: CLIPTokenizer, loras: [(LoRA, scale: Float)] = []) throws {
        func component(_ part: SingleFileCheckpoint.Component, _ name: String) -> DiffusersComponent {
            DiffusersComponent(path: "\(checkpoint.path) (\(name))", config: part.config, weights: part.weights)
        }
        self.tokenizer = tokenizer
        textEncoder = try CLIPTextEncoder(component: component(checkpoint.textEncoder, "text encoder"), loras: loras)
        unet = try UNet(component: component(checkpoint.unet, "UNet"), loras: loras)
        vae = try AutoencoderKL(component: component(checkpoint.vae, "VAE"))
        guard let values = checkpoint.scheduler.object else {
            throw RestoreError(.model, "'\(checkpoint.path)': no scheduler configuration")
        }
        schedulerConfig = SchedulerConfig(values, source: checkpoint.path)
    }

    /// The text encoder's hidden states for `prompt` (1 × 77 tokens × width): what
    /// the UNet attends to.
    public func context(_ prompt: String, threads: Int) throws -> Tensor {
        try textEncoder.encode(tokenizer.encode(prompt), threads: threads)
    }
}
