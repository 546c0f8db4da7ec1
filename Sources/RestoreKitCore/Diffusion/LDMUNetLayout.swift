/// Stable Diffusion's UNet in the original LDM layout (CompVis
/// `ldm.modules.diffusionmodules.openaimodel.UNetModel`, under
/// `model.diffusion_model.`) read as diffusers' `UNet2DConditionModel`: the
/// configuration inferred from tensor shapes, and every tensor's diffusers name.
///
/// LDM numbers its blocks flat: `input_blocks.0` is the input convolution, then
/// per resolution level L (= `layers_per_block`) blocks of `[ResBlock,
/// SpatialTransformer?]` and, except at the last level, one `Downsample`
/// (`input_blocks.i.0.op`); `middle_block` is ResBlock, SpatialTransformer,
/// ResBlock; `output_blocks` hold per level, deepest first, L + 1 blocks of
/// `[ResBlock, SpatialTransformer?, Upsample?]`, the upsampler last in the
/// level's last block; `time_embed.0/2` and `out.0/2` are the time MLP and the
/// output norm and convolution. Inside a ResBlock `in_layers.0/2`, `emb_layers.1`,
/// `out_layers.0/3` and `skip_connection` are diffusers' `norm1`, `conv1`,
/// `time_emb_proj`, `norm2`, `conv2` and `conv_shortcut`; a SpatialTransformer's
/// names are diffusers' `Transformer2DModel` names already, its `proj_in` and
/// `proj_out` 1×1 convolutions in SD 1.x and linear layers in SD 2.x on both sides.
struct LDMUNetLayout {
    /// The UNet's prefix in a checkpoint.
    static let prefix = "model.diffusion_model."

    /// Channels of each resolution level.
    let widths: [Int]
    /// Residual blocks per level on the way down (one more per level on the way up).
    let layersPerBlock: Int
    /// Whether each level's down and up blocks carry cross-attention transformers.
    let downAttention: [Bool]
    let upAttention: [Bool]
    /// Whether the transformers' `proj_in`/`proj_out` are linear (SD 2.x) rather than 1×1 convolutions.
    let linearProjection: Bool
    /// The width of the text states the cross-attention reads.
    let contextWidth: Int
    let inChannels: Int
    let outChannels: Int
    /// Transformer blocks in each SpatialTransformer.
    let transformerDepth: Int
    private let tensors: LDMComponentTensors

    /// Infers the structure from the shapes of `tensors`.
    init(_ tensors: LDMComponentTensors) throws {
        self.tensors = tensors
        func fail(_ what: String) -> RestoreError { RestoreError(.model, "'\(tensors.file)': UNet: \(what)") }
        inChannels = try tensors.shape("input_blocks.0.0.weight", rank: 4, "the input channels")[1]
        outChannels = try tensors.shape("out.2.weight", rank: 4, "the output channels")[0]

        let inputs = try tensors.indices("input_blocks")
        let downsamplers = inputs.filter { tensors.has("input_blocks.\($0).0.op.weight") }
        let perLevel = (downsamplers.first ?? inputs.count) - 1
        let levels = downsamplers.count + 1
        let step = perLevel + 1
        guard perLevel >= 1, downsamplers == (1 ..< levels).map({ $0 * step }),
              inputs.count == 1 + levels * perLevel + (levels - 1) else {
            throw fail("\(inputs.count) input blocks with downsamplers at \(downsamplers) do not form levels of equal depth")
        }
        layersPerBlock = perLevel
        widths = try (0 ..< levels).map { level in
            try tensors.shape("input_blocks.\(1 + level * step).0.out_layers.3.weight", rank: 4, "level \(level)'s width")[0]
        }
        // The transformers of each level: all of its blocks have one, or none does.
        func transformers(_ blocks: [String], _ what: String) throws -> [String] {
            let present = blocks.filter { tensors.has($0 + ".proj_in.weight") }
            guard present.isEmpty || present.count == blocks.count else { throw fail("\(what) mixes blocks with and without attention") }
            return present
        }
        let down = try (0 ..< levels).map { level in
            try transformers((0 ..< perLevel).map { "input_blocks.\(1 + level * step + $0).1" }, "down level \(level)")
        }
        let outputs = try tensors.indices("output_blocks")
        guard outputs.count == levels * step else {
            throw fail("\(outputs.count) output blocks, expected \(levels * step) for \(levels) levels of \(perLevel) blocks")
        }
        let up = try (0 ..< levels).map { level in
            try transformers((0 ..< step).map { "output_blocks.\(level * step + $0).1" }, "up level \(level)")
        }
        downAttention = down.map { !$0.isEmpty }
        upAttention = up.map { !$0.isEmpty }

        // Every transformer — down, middle, up — must agree on depth, projection and context.
        let attentions = down.joined() + ["middle_block.1"] + up.joined()
        let first = attentions[0]
        let rank = tensors.tensors[first + ".proj_in.weight"]?.shape.count == 2 ? 2 : 4
        let context = try tensors.shape(first + ".transformer_blocks.0.attn2.to_k.weight", rank: 2, "the cross-attention width")[1]
        let depth = try tensors.indices(first + ".transformer_blocks").count
        for block in attentions {
            _ = try tensors.shape(block + ".proj_in.weight", rank: rank, "projections like those of '\(tensors.prefix + first)'")
            guard try tensors.indices(block + ".transformer_blocks").count == depth,
                  try tensors.shape(block + ".transformer_blocks.0.attn2.to_k.weight", rank: 2, "the cross-attention width")[1] == context else {
                throw fail("the transformer '\(tensors.prefix + block)' differs in depth or context width from '\(tensors.prefix + first)'")
            }
        }
        linearProjection = rank == 2
        contextWidth = context
        transformerDepth = depth
    }

    /// diffusers' `config.json` for this UNet.
    func config(heads: SingleFileCheckpoint.AttentionHeads, upcastAttention: Bool, sampleSize: Int) throws -> JSONValue {
        let headsValue: JSONValue
        switch heads {
        case .count(let count):
            guard count > 0, widths.allSatisfy({ $0 % count == 0 }) else {
                throw RestoreError(.invalidArgument, "'\(tensors.file)': \(count) attention heads do not divide the UNet's widths \(widths)")
            }
            headsValue = .number(Double(count))
        case .channels(let channels):
            guard channels > 0, widths.allSatisfy({ $0 % channels == 0 }) else {
                throw RestoreError(.invalidArgument, "'\(tensors.file)': heads of \(channels) channels do not divide the UNet's widths \(widths)")
            }
            // diffusers names the head count `attention_head_dim` (a historical misnomer).
            headsValue = .array(widths.map { .number(Double($0 / channels)) })
        }
        func number(_ n: Int) -> JSONValue { .number(Double(n)) }
        func strings(_ s: [String]) -> JSONValue { .array(s.map { .string($0) }) }
        return .object([
            "_class_name": .string("UNet2DConditionModel"),
            "act_fn": .string("silu"),
            "addition_embed_type": .null, "addition_embed_type_num_heads": number(64), "addition_time_embed_dim": .null,
            "attention_head_dim": headsValue,
            "attention_type": .string("default"),
            "block_out_channels": .array(widths.map(number)),
            "center_input_sample": .bool(false),
            "class_embed_type": .null, "class_embeddings_concat": .bool(false),
            "conv_in_kernel": number(3), "conv_out_kernel": number(3),
            "cross_attention_dim": number(contextWidth), "cross_attention_norm": .null,
            "down_block_types": strings(downAttention.map { $0 ? "CrossAttnDownBlock2D" : "DownBlock2D" }),
            "downsample_padding": number(1),
            "dropout": .number(0),
            "dual_cross_attention": .bool(false),
            "encoder_hid_dim": .null, "encoder_hid_dim_type": .null,
            "flip_sin_to_cos": .bool(true), "freq_shift": number(0),
            "in_channels": number(inChannels),
            "layers_per_block": number(layersPerBlock),
            "mid_block_only_cross_attention": .null, "mid_block_scale_factor": number(1),
            "mid_block_type": .string("UNetMidBlock2DCrossAttn"),
            "norm_eps": .number(1e-5), "norm_num_groups": number(32),
            "num_attention_heads": .null, "num_class_embeds": .null,
            "only_cross_attention": .bool(false),
            "out_channels": number(outChannels),
            "projection_class_embeddings_input_dim": .null,
            "resnet_out_scale_factor": .number(1), "resnet_skip_time_act": .bool(false),
            "resnet_time_scale_shift": .string("default"),
            "reverse_transformer_layers_per_block": .null,
            "sample_size": number(sampleSize),
            "time_cond_proj_dim": .null, "time_embedding_act_fn": .null, "time_embedding_dim": .null,
            "time_embedding_type": .string("positional"), "timestep_post_act": .null,
            "transformer_layers_per_block": number(transformerDepth),
            "up_block_types": strings(upAttention.map { $0 ? "CrossAttnUpBlock2D" : "UpBlock2D" }),
            "upcast_attention": .bool(upcastAttention),
            "use_linear_projection": .bool(linearProjection),
        ])
    }

    /// The tensors under diffusers' names.
    func weights() throws -> WeightStore {
        try tensors.store("UNet") { name, tensor in diffusersName(name).map { [($0, tensor)] } }
    }

    /// The diffusers name of LDM tensor `name`, nil when it fits no block of this structure.
    func diffusersName(_ name: String) -> String? {
        let parts = name.split(separator: ".", maxSplits: 3).map(String.init)
        func tail(_ from: Int) -> String { name.split(separator: ".", maxSplits: from).dropFirst(from).joined(separator: ".") }
        guard parts.count >= 3 else { return nil }
        switch parts[0] {
        case "time_embed":
            guard let linear = ["0": "linear_1", "2": "linear_2"][parts[1]] else { return nil }
            return "time_embedding.\(linear).\(tail(2))"
        case "out":
            guard let layer = ["0": "conv_norm_out", "2": "conv_out"][parts[1]] else { return nil }
            return "\(layer).\(tail(2))"
        case "input_blocks":
            guard let i = Int(parts[1]), parts.count == 4 else { return nil }
            if i == 0 { return parts[2] == "0" ? "conv_in.\(parts[3])" : nil }
            let (level, j) = (i - 1).quotientAndRemainder(dividingBy: layersPerBlock + 1)
            guard level < widths.count else { return nil }
            if j == layersPerBlock {
                guard parts[2] == "0", parts[3].hasPrefix("op.") else { return nil }
                return "down_blocks.\(level).downsamplers.0.conv.\(parts[3].dropFirst(3))"
            }
            switch parts[2] {
            case "0": return Self.resnet(parts[3]).map { "down_blocks.\(level).resnets.\(j).\($0)" }
            case "1" where downAttention[level]: return "down_blocks.\(level).attentions.\(j).\(parts[3])"
            default: return nil
            }
        case "middle_block":
            switch parts[1] {
            case "0", "2": return Self.resnet(tail(2)).map { "mid_block.resnets.\(parts[1] == "0" ? 0 : 1).\($0)" }
            case "1": return "mid_block.attentions.0.\(tail(2))"
            default: return nil
            }
        case "output_blocks":
            guard let i = Int(parts[1]), parts.count == 4 else { return nil }
            let (level, j) = i.quotientAndRemainder(dividingBy: layersPerBlock + 1)
            guard level < widths.count else { return nil }
            // The level's last block ends with the upsampler, except at the top level.
            let upsampler = j == layersPerBlock && level < widths.count - 1 ? (upAttention[level] ? "2" : "1") : nil
            if parts[2] == upsampler {
                return parts[3].hasPrefix("conv.") ? "up_blocks.\(level).upsamplers.0.\(parts[3])" : nil
            }
            switch parts[2] {
            case "0": return Self.resnet(parts[3]).map { "up_blocks.\(level).resnets.\(j).\($0)" }
            case "1" where upAttention[level]: return "up_blocks.\(level).attentions.\(j).\(parts[3])"
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A ResBlock's parameter `name` (e.g. `in_layers.0.weight`) under diffusers' ResnetBlock2D names.
    static func resnet(_ name: String) -> String? {
        let renames = ["in_layers.0.": "norm1.", "in_layers.2.": "conv1.", "emb_layers.1.": "time_emb_proj.",
                       "out_layers.0.": "norm2.", "out_layers.3.": "conv2.", "skip_connection.": "conv_shortcut."]
        for (old, new) in renames where name.hasPrefix(old) {
            return new + name.dropFirst(old.count)
        }
        return nil
    }
}
