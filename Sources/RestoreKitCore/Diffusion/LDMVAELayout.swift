/// Stable Diffusion's autoencoder in the original LDM layout (CompVis
/// `ldm.models.autoencoder.AutoencoderKL`, under `first_stage_model.`) read as
/// diffusers' `AutoencoderKL`: the configuration inferred from tensor shapes,
/// and every tensor's diffusers name and shape.
///
/// LDM's encoder has `down.i.block.j` residual blocks and `down.i.downsample`
/// per level; the decoder `up.i.block.j` and `up.i.upsample`, numbered by
/// resolution — so `up.0` is diffusers' last up block. Both have
/// `mid.block_1`, `mid.attn_1`, `mid.block_2`, and `norm_out` where diffusers
/// says `conv_norm_out`; residual blocks call their shortcut `nin_shortcut`.
/// The mid-block attention's `q`, `k`, `v` and `proj_out` are 1×1
/// convolutions (`[c, c, 1, 1]`), read as diffusers' linear `to_q`, `to_k`,
/// `to_v`, `to_out.0` (`[c, c]`); its `norm` is diffusers' `group_norm`.
struct LDMVAELayout {
    /// The autoencoder's prefix in a checkpoint.
    static let prefix = "first_stage_model."

    /// Channels of each resolution level.
    let widths: [Int]
    /// Residual blocks per encoder level (the decoder has one more).
    let layersPerBlock: Int
    let inChannels: Int
    let outChannels: Int
    let latentChannels: Int
    private let tensors: LDMComponentTensors

    /// Infers the structure from the shapes of `tensors`.
    init(_ tensors: LDMComponentTensors) throws {
        self.tensors = tensors
        inChannels = try tensors.shape("encoder.conv_in.weight", rank: 4, "the image channels")[1]
        outChannels = try tensors.shape("decoder.conv_out.weight", rank: 4, "the image channels")[0]
        latentChannels = try tensors.shape("decoder.conv_in.weight", rank: 4, "the latent channels")[1]
        let levels = try tensors.indices("encoder.down")
        guard !levels.isEmpty else { throw tensors.error("encoder.down.0.block.0.conv1.weight", "is missing: no encoder levels") }
        layersPerBlock = try tensors.indices("encoder.down.0.block").count
        widths = try levels.map { try tensors.shape("encoder.down.\($0).block.0.conv2.weight", rank: 4, "level \($0)'s width")[0] }
    }

    /// The factor between image and latent sides.
    var scale: Int { 1 << (widths.count - 1) }

    /// diffusers' `config.json` for this autoencoder.
    func config(sampleSize: Int) -> JSONValue {
        func number(_ n: Int) -> JSONValue { .number(Double(n)) }
        return .object([
            "_class_name": .string("AutoencoderKL"),
            "act_fn": .string("silu"),
            "block_out_channels": .array(widths.map(number)),
            "down_block_types": .array(widths.map { _ in .string("DownEncoderBlock2D") }),
            "force_upcast": .bool(true),
            "in_channels": number(inChannels),
            "latent_channels": number(latentChannels),
            "latents_mean": .null, "latents_std": .null,
            "layers_per_block": number(layersPerBlock),
            "mid_block_add_attention": .bool(tensors.has("encoder.mid.attn_1.q.weight")),
            "norm_num_groups": number(32),
            "out_channels": number(outChannels),
            "sample_size": number(sampleSize),
            // Stable Diffusion's latent scale (LDM's `scale_factor`), in every SD 1.x and 2.x config.
            "scaling_factor": .number(0.18215),
            "shift_factor": .null,
            "up_block_types": .array(widths.map { _ in .string("UpDecoderBlock2D") }),
            "use_post_quant_conv": .bool(tensors.has("post_quant_conv.weight")),
            "use_quant_conv": .bool(tensors.has("quant_conv.weight")),
        ])
    }

    /// The tensors under diffusers' names, the attention's 1×1 convolutions as linear weights.
    func weights() throws -> WeightStore {
        try tensors.store("VAE") { name, tensor in
            guard let renamed = diffusersName(name) else { return nil }
            let attention = ["to_q", "to_k", "to_v", "to_out.0"].contains { renamed.hasSuffix(".\($0).weight") }
            guard attention, tensor.shape.count > 2, tensor.shape.dropFirst(2).allSatisfy({ $0 == 1 }) else {
                return [(renamed, tensor)]
            }
            guard let linear = tensor.reshaped(Array(tensor.shape.prefix(2))) else {
                throw tensors.error(name, "of shape \(tensor.shape) cannot be read as a linear weight")
            }
            return [(renamed, linear)]
        }
    }

    /// The diffusers name of LDM tensor `name`, nil when it fits no block of this structure.
    func diffusersName(_ name: String) -> String? {
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 2, ["quant_conv", "post_quant_conv"].contains(parts[0]) { return name }
        guard parts.count >= 3 else { return nil }
        let coder = parts[0]
        guard coder == "encoder" || coder == "decoder" else { return nil }
        let rest = parts.dropFirst(2).joined(separator: ".")
        switch parts[1] {
        case "conv_in", "conv_out": return name
        case "norm_out": return "\(coder).conv_norm_out.\(rest)"
        case "mid":
            let inner = parts.dropFirst(3).joined(separator: ".")
            switch parts[2] {
            case "block_1": return Self.resnet(inner).map { "\(coder).mid_block.resnets.0.\($0)" }
            case "block_2": return Self.resnet(inner).map { "\(coder).mid_block.resnets.1.\($0)" }
            case "attn_1": return Self.attention(inner).map { "\(coder).mid_block.attentions.0.\($0)" }
            default: return nil
            }
        case "down" where coder == "encoder", "up" where coder == "decoder":
            // encoder.down.i.block.j.… / encoder.down.i.downsample.conv.…; decoder likewise, levels reversed.
            guard parts.count >= 5, let i = Int(parts[2]), i < widths.count else { return nil }
            let block = coder == "encoder" ? "\(coder).down_blocks.\(i)" : "\(coder).up_blocks.\(widths.count - 1 - i)"
            let inner = parts.dropFirst(4).joined(separator: ".")
            switch parts[3] {
            case "block":
                guard let j = Int(parts[4]) else { return nil }
                return Self.resnet(parts.dropFirst(5).joined(separator: ".")).map { "\(block).resnets.\(j).\($0)" }
            case "downsample" where coder == "encoder" && i < widths.count - 1,
                 "upsample" where coder == "decoder" && i > 0:
                return inner.hasPrefix("conv.") ? "\(block).\(parts[3] == "downsample" ? "downsamplers" : "upsamplers").0.\(inner)" : nil
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// A residual block's parameter `name` under diffusers' ResnetBlock2D names.
    static func resnet(_ name: String) -> String? {
        for layer in ["norm1.", "conv1.", "norm2.", "conv2."] where name.hasPrefix(layer) { return name }
        return name.hasPrefix("nin_shortcut.") ? "conv_shortcut." + name.dropFirst("nin_shortcut.".count) : nil
    }

    /// An attention block's parameter `name` under diffusers' Attention names.
    static func attention(_ name: String) -> String? {
        let renames = ["norm.": "group_norm.", "q.": "to_q.", "k.": "to_k.", "v.": "to_v.", "proj_out.": "to_out.0."]
        for (old, new) in renames where name.hasPrefix(old) { return new + name.dropFirst(old.count) }
        return nil
    }
}
