/// What a `unet/config.json` (or a ControlNet's, which has no up blocks) gives,
/// with diffusers' defaults.
public struct UNetConfiguration: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var blockChannels: [Int]
    public var layersPerBlock: [Int]
    /// Per level: whether the down block (and its mirror up block) has cross-attention.
    public var downAttention: [Bool]
    /// Per up block, empty for a ControlNet.
    public var upAttention: [Bool]
    public var contextChannels: Int
    /// Attention heads per level (diffusers' `num_attention_heads`, or its
    /// legacy `attention_head_dim`, which SD configs use to mean heads).
    public var heads: [Int]
    public var transformerLayers: [Int]
    public var groups: Int
    public var epsilon: Float
    public var flipSinToCos: Bool
    public var frequencyShift: Float
    public var timeChannels: Int

    /// Keys whose other values change the computation in ways not implemented
    /// (SDXL's added embeddings, LCM's guidance embedding, …), with the value
    /// Stable Diffusion 1.x and 2.x use.
    static let fixedKeys: [(String, JSONValue)] = [
        ("class_embed_type", .null), ("addition_embed_type", .null), ("time_cond_proj_dim", .null),
        ("encoder_hid_dim", .null), ("only_cross_attention", .bool(false)), ("dual_cross_attention", .bool(false)),
        ("center_input_sample", .bool(false)), ("resnet_time_scale_shift", .string("default")),
        ("act_fn", .string("silu")), ("time_embedding_type", .string("positional")),
        ("time_embedding_act_fn", .null), ("timestep_post_act", .null), ("conv_in_kernel", .number(3)),
        ("conv_out_kernel", .number(3)), ("mid_block_type", .string("UNetMidBlock2DCrossAttn")),
        ("mid_block_scale_factor", .number(1)), ("downsample_padding", .number(1)),
        ("resnet_out_scale_factor", .number(1)), ("attention_type", .string("default")),
        ("reverse_transformer_layers_per_block", .null),
    ]

    /// Reads the configuration; `upBlocks` is false for a ControlNet.
    init(_ component: DiffusersComponent, upBlocks: Bool = true) throws {
        for (key, expected) in Self.fixedKeys {
            if let value = component.config[key], value != expected {
                throw RestoreError(.unsupported, "'\(component.path)/config.json': '\(key)' is \(value.kindDescription); only \(expected.kindDescription) is supported")
            }
        }
        inChannels = try component.integer("in_channels", default: 4)
        outChannels = upBlocks ? try component.integer("out_channels", default: 4) : 0
        let channels = try component.integerList("block_out_channels")
        blockChannels = channels
        let levels = channels.count
        layersPerBlock = try component.integers("layers_per_block", count: levels, default: 2)
        let down = try component.strings("down_block_types")
        let up = upBlocks ? try component.strings("up_block_types") : []
        guard down.count == levels, up.count == (upBlocks ? levels : 0) else {
            throw RestoreError(.model, "'\(component.path)/config.json': \(down.count) down and \(up.count) up block types for \(levels) levels")
        }
        downAttention = try down.map { type in
            switch type {
            case "CrossAttnDownBlock2D": true
            case "DownBlock2D": false
            default: throw RestoreError(.unsupported, "'\(component.path)/config.json': down block '\(type)' is not supported")
            }
        }
        upAttention = try up.map { type in
            switch type {
            case "CrossAttnUpBlock2D": true
            case "UpBlock2D": false
            default: throw RestoreError(.unsupported, "'\(component.path)/config.json': up block '\(type)' is not supported")
            }
        }
        contextChannels = try component.integer("cross_attention_dim", default: 1280)
        if let value = component.config["num_attention_heads"], !value.isNull {
            heads = try component.integers("num_attention_heads", count: levels)
        } else {
            heads = try component.integers("attention_head_dim", count: levels, default: 8)
        }
        transformerLayers = try component.integers("transformer_layers_per_block", count: levels, default: 1)
        groups = try component.integer("norm_num_groups", default: 32)
        epsilon = Float(try component.number("norm_eps", default: 1e-5))
        flipSinToCos = try component.flag("flip_sin_to_cos", default: true)
        frequencyShift = Float(try component.number("freq_shift", default: 0))
        timeChannels = try component.integer("time_embedding_dim", default: 4 * channels[0])
        let sizes = [inChannels, contextChannels, groups, timeChannels] + (upBlocks ? [outChannels] : []) + channels + layersPerBlock
            + heads + transformerLayers
        guard sizes.allSatisfy({ (1 ... 1 << 16).contains($0) }),
              channels.allSatisfy({ $0 % groups == 0 }) else {
            throw RestoreError(.model, "'\(component.path)/config.json': sizes out of range, or block widths \(channels) not divisible by \(groups) groups")
        }
        for (level, attends) in downAttention.enumerated() where attends && channels[level] % heads[level] != 0 {
            throw RestoreError(.model, "'\(component.path)/config.json': \(channels[level]) channels do not split into \(heads[level]) heads")
        }
    }
}
