/// A Stable Diffusion 1.x or 2.x checkpoint in one file — the original LDM key
/// layout that the CompVis and Stability releases use and most tools share, as
/// `.safetensors` or as a PyTorch `.ckpt`/`.pt` (the zip format, read by
/// `TorchZipCheckpoint` without running any code) — read as the diffusers
/// components RestoreKit's models load: for the UNet, the VAE and the text
/// encoder, a `WeightStore` under diffusers' and transformers' state-dict names
/// and shapes with the `config.json` diffusers would write for it, and the
/// scheduler's configuration. So a model does not care where its weights came from.
///
/// The components sit under `model.diffusion_model.` (UNet, `LDMUNetLayout`),
/// `first_stage_model.` (VAE, `LDMVAELayout`) and `cond_stage_model.transformer.`
/// (SD 1.x, OpenAI CLIP) or `cond_stage_model.model.` (SD 2.x, OpenCLIP)
/// (`LDMTextEncoderLayout`). Sizes — levels, widths, blocks per level, channels,
/// text width, layers — come from tensor shapes; SD 2.x is told from SD 1.x by its
/// linear attention projections, and the text encoder must be the one that goes
/// with them and have the width the cross-attention reads. Tensors are renamed,
/// split or reshaped as views of the mapped file and read only when a model takes them.
///
/// What a file cannot tell comes from `Options`: the prediction type (SD 2.x
/// 768-v predicts v, SD 2.x base and SD 1.x ε), the training image size, and
/// the attention head sizes (the defaults are SD's own).
public final class SingleFileCheckpoint: @unchecked Sendable {
    /// Stable Diffusion's generation.
    public enum Version: String, Sendable {
        case sd1 = "SD 1.x"
        case sd2 = "SD 2.x"
    }

    /// What the UNet predicts, as diffusers' `prediction_type` names it.
    public enum Prediction: String, Sendable {
        case epsilon
        case v = "v_prediction"
    }

    /// How the UNet's attention heads are sized: LDM's `num_heads` (a head count
    /// at every level) or `num_head_channels` (channels per head).
    public enum AttentionHeads: Sendable, Equatable {
        case count(Int)
        case channels(Int)
    }

    /// What the tensors cannot tell.
    public struct Options: Sendable {
        /// Default ε, the prediction of SD 1.x and SD 2.x base.
        public var prediction: Prediction
        /// The training image side; nil: 512, or 768 for SD 2.x predicting v.
        public var imageSize: Int?
        /// nil: SD 1.x's 8 heads, SD 2.x's 64-channel heads.
        public var unetHeads: AttentionHeads?
        /// Text encoder heads; nil: CLIP's 64-channel heads.
        public var textHeads: Int?

        public init(prediction: Prediction = .epsilon, imageSize: Int? = nil,
                    unetHeads: AttentionHeads? = nil, textHeads: Int? = nil) {
            self.prediction = prediction
            self.imageSize = imageSize
            self.unetHeads = unetHeads
            self.textHeads = textHeads
        }
    }

    /// One model of the pipeline: its diffusers `config.json` and its weights.
    public struct Component: Sendable {
        public let config: JSONValue
        public let weights: WeightStore
    }

    public let path: String
    public let version: Version
    public let unet: Component
    public let vae: Component
    public let textEncoder: Component
    /// The scheduler's `scheduler_config.json`: SD's training noise schedule and the prediction type.
    public let scheduler: JSONValue

    /// Reads the checkpoint at `path`.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        let tensors = try Self.tensors(path)
        var groups: [String: [String: StoredTensor]] = [:]
        let prefixes = [LDMUNetLayout.prefix, LDMVAELayout.prefix, LDMTextEncoderLayout.Kind.clip.prefix,
                        LDMTextEncoderLayout.Kind.openCLIP.prefix]
        for (name, tensor) in tensors where !Self.isUnused(name) {
            guard let prefix = prefixes.first(where: { name.hasPrefix($0) }) else {
                throw RestoreError(.model, "'\(path)': tensor '\(name)' \(tensor.shape) belongs to no Stable Diffusion component (\(prefixes.joined(separator: ", ")))")
            }
            groups[prefix, default: [:]][String(name.dropFirst(prefix.count))] = tensor
        }
        func component(_ prefix: String, _ what: String) throws -> LDMComponentTensors {
            guard let group = groups[prefix] else {
                throw RestoreError(.model, "'\(path)': no \(what) (no tensors '\(prefix)…'): not a Stable Diffusion 1.x or 2.x checkpoint in the original layout")
            }
            return LDMComponentTensors(file: path, prefix: prefix, tensors: group)
        }
        let unetLayout = try LDMUNetLayout(component(LDMUNetLayout.prefix, "UNet"))
        let vaeLayout = try LDMVAELayout(component(LDMVAELayout.prefix, "VAE"))
        version = unetLayout.linearProjection ? .sd2 : .sd1
        let textKind: LDMTextEncoderLayout.Kind = version == .sd1 ? .clip : .openCLIP
        let textLayout = try LDMTextEncoderLayout(textKind, component(textKind.prefix, "\(version.rawValue) text encoder"))
        guard textLayout.width == unetLayout.contextWidth else {
            throw RestoreError(.model, "'\(path)': the UNet's cross-attention reads \(unetLayout.contextWidth)-wide text states, but the text encoder is \(textLayout.width) wide")
        }

        let imageSize = options.imageSize ?? (version == .sd2 && options.prediction == .v ? 768 : 512)
        guard imageSize > 0, imageSize % vaeLayout.scale == 0 else {
            throw RestoreError(.invalidArgument, "'\(path)': image size \(imageSize) is not a positive multiple of the VAE's scale \(vaeLayout.scale)")
        }
        let heads = options.unetHeads ?? (version == .sd1 ? .count(8) : .channels(64))
        // diffusers' SD 2.x UNet configs compute attention scores in float32; float32 inference changes nothing.
        unet = Component(config: try unetLayout.config(heads: heads, upcastAttention: version == .sd2, sampleSize: imageSize / vaeLayout.scale),
                         weights: try unetLayout.weights())
        vae = Component(config: vaeLayout.config(sampleSize: imageSize), weights: try vaeLayout.weights())
        textEncoder = Component(config: try textLayout.config(heads: options.textHeads), weights: try textLayout.weights())
        scheduler = .object([
            // The published SD 1.5 and SD 2.1 pipelines' schedulers.
            "_class_name": .string(version == .sd1 ? "PNDMScheduler" : "DDIMScheduler"),
            "beta_start": .number(0.00085), "beta_end": .number(0.012), "beta_schedule": .string("scaled_linear"),
            "num_train_timesteps": .number(1000), "trained_betas": .null,
            "steps_offset": .number(1), "timestep_spacing": .string("leading"),
            "prediction_type": .string(options.prediction.rawValue),
            "clip_sample": .bool(false), "set_alpha_to_one": .bool(false), "skip_prk_steps": .bool(true),
        ])
    }

    /// The tokenizer of this checkpoint, which carries none: CLIP's vocabulary from
    /// `models` (`restorekit models fetch` installs it), padding as the version's
    /// pipelines pad (SD 1.x with `<|endoftext|>`, SD 2.x with `!`). Without the
    /// vocabulary, a `RestoreError(.model)` naming the fetch command.
    public func tokenizer(models: ModelDirectory) throws -> CLIPTokenizer {
        do {
            return try CLIPTokenizer(vocabularyIn: models, padToken: version == .sd1 ? CLIPTokenizer.endOfText : "!")
        } catch let error as RestoreError {
            throw RestoreError(error.kind, "'\(path)' carries no tokenizer and CLIP's vocabulary cannot be read: \(error.message)")
        }
    }

    /// Whether a checkpoint tensor is one that Stable Diffusion checkpoints carry
    /// and inference never reads, skipped:
    /// - `model_ema.*`: the UNet's training-time moving average (flattened names,
    ///   `decay`, `num_updates`); released files already hold the averaged weights
    ///   under `model.diffusion_model.`;
    /// - LDM's noise-schedule buffers (`betas`, `alphas_cumprod`, `posterior_…`,
    ///   `logvar`, …), which the scheduler configuration stands for;
    /// - `….position_ids`: CLIP's buffer of position numbers;
    /// - OpenCLIP's `text_projection`, `logit_scale` and image tower `visual.*`:
    ///   the contrastive heads, not the text model;
    /// - `first_stage_model.loss.*`: the autoencoder's training loss (LPIPS and
    ///   discriminator) that some VAE-finetuned files keep.
    /// SD 2.x's last OpenCLIP layer is skipped too (see `LDMTextEncoderLayout`).
    static func isUnused(_ name: String) -> Bool {
        let openCLIP = LDMTextEncoderLayout.Kind.openCLIP.prefix
        return name.hasPrefix("model_ema.") || scheduleBuffers.contains(name) || name.hasSuffix(".position_ids")
            || name == openCLIP + "text_projection" || name == openCLIP + "logit_scale" || name.hasPrefix(openCLIP + "visual.")
            || name.hasPrefix(LDMVAELayout.prefix + "loss.")
    }

    /// The buffers LDM's `DDPM.register_schedule` saves.
    static let scheduleBuffers: Set<String> = [
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar",
    ]

    /// Every tensor of the file, by its name there: a PyTorch zip archive when
    /// the file starts like one, else safetensors.
    static func tensors(_ path: String) throws -> [String: StoredTensor] {
        let head = try MappedFile(path: path)
        var table: [String: StoredTensor] = [:]
        func add(_ name: String, _ tensor: StoredTensor) throws {
            guard table.updateValue(tensor, forKey: name) == nil else {
                throw RestoreError(.model, "'\(path)': tensor '\(name)' appears twice")
            }
        }
        if head.bytes.starts(with: [0x50, 0x4B]) {
            for (name, tensor) in try TorchZipCheckpoint(path: path).tensors { try add(name, tensor) }
        } else if head.bytes.starts(with: [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyCheckpoint.magic) {
            throw RestoreError(.unsupported, "'\(path)' is in the legacy torch.save format of PyTorch before 1.6; save it again with a current PyTorch, or as safetensors")
        } else {
            let file = try SafeTensorsFile(path: path)
            for info in file.tensors { try add(info.name, try file.stored(info)) }
        }
        return table
    }
}
