/// Stable Diffusion's denoising network as diffusers' `UNet2DConditionModel`
/// computes it, for SD 1.x and 2.x layouts and any sizes their configurations
/// give: the noisy latents, a timestep and the text's hidden states in; the
/// predicted noise (or velocity, for v-prediction models) out.
public final class UNet: Sendable {
    /// What a `unet/config.json` gives, with diffusers' defaults.
    public struct Configuration: Sendable, Equatable {
        public var inChannels: Int
        public var outChannels: Int
        public var blockChannels: [Int]
        public var layersPerBlock: [Int]
        /// Per level: whether the down block (and its mirror up block) has cross-attention.
        public var downAttention: [Bool]
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

        init(_ component: DiffusersComponent) throws {
            for (key, expected) in Self.fixedKeys {
                if let value = component.config[key], value != expected {
                    throw RestoreError(.unsupported, "'\(component.path)/config.json': '\(key)' is \(value.kindDescription); only \(expected.kindDescription) is supported")
                }
            }
            inChannels = try component.integer("in_channels", default: 4)
            outChannels = try component.integer("out_channels", default: 4)
            guard let channels = component.config["block_out_channels"]?.array?.compactMap(\.int), !channels.isEmpty else {
                throw component.missing("block_out_channels")
            }
            blockChannels = channels
            let levels = channels.count
            layersPerBlock = try component.integers("layers_per_block", count: levels, default: [2])
            let down = try component.strings("down_block_types"), up = try component.strings("up_block_types")
            guard down.count == levels, up.count == levels else {
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
                heads = try component.integers("attention_head_dim", count: levels, default: [8])
            }
            transformerLayers = try component.integers("transformer_layers_per_block", count: levels, default: [1])
            groups = try component.integer("norm_num_groups", default: 32)
            epsilon = Float(try component.number("norm_eps", default: 1e-5))
            flipSinToCos = try component.flag("flip_sin_to_cos", default: true)
            frequencyShift = Float(try component.number("freq_shift", default: 0))
            timeChannels = try component.integer("time_embedding_dim", default: 4 * channels[0])
            let sizes = [inChannels, outChannels, contextChannels, groups, timeChannels] + channels + layersPerBlock
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

    private struct Level: Sendable {
        let resnets: [ResnetBlock]
        let attentions: [SpatialTransformer]
        let downsample: Downsample?
        let upsample: Upsample?
    }

    public let configuration: Configuration
    private let timeLinear1: Linear
    private let timeLinear2: Linear
    private let convIn: ConvolutionLayer
    private let down: [Level]
    private let mid: (ResnetBlock, SpatialTransformer, ResnetBlock)
    private let up: [Level]
    private let normOut: GroupNorm
    private let convOut: ConvolutionLayer

    /// The UNet of a diffusers `unet/` folder.
    public convenience init(folder: String) throws {
        let component = try DiffusersComponent(path: folder)
        try self.init(configuration: Configuration(component), weights: component.weights)
        try component.weights.finish()
    }

    /// The UNet of `configuration` with weights named as diffusers names them.
    init(configuration c: Configuration, weights w: WeightStore) throws {
        configuration = c
        let levels = c.blockChannels.count, ch = c.blockChannels
        func resnet(_ prefix: String, _ inputs: Int, _ outputs: Int) throws -> ResnetBlock {
            try ResnetBlock(w, prefix, inputs: inputs, outputs: outputs, groups: c.groups, epsilon: c.epsilon,
                            timeChannels: c.timeChannels)
        }
        func transformer(_ prefix: String, _ channels: Int, heads: Int, layers: Int) throws -> SpatialTransformer {
            try SpatialTransformer(w, prefix, channels: channels, heads: heads, layers: layers,
                                   contextChannels: c.contextChannels, groups: c.groups)
        }
        timeLinear1 = try w.linear("time_embedding.linear_1", ch[0], c.timeChannels, activation: .silu)
        timeLinear2 = try w.linear("time_embedding.linear_2", c.timeChannels, c.timeChannels)
        convIn = try w.convolution("conv_in", c.inChannels, ch[0], kernel: 3, padding: 1)
        var skips = [ch[0]]
        var down: [Level] = []
        for level in 0 ..< levels {
            let p = "down_blocks.\(level)", last = level == levels - 1
            var resnets: [ResnetBlock] = [], attentions: [SpatialTransformer] = []
            for j in 0 ..< c.layersPerBlock[level] {
                resnets.append(try resnet("\(p).resnets.\(j)", j == 0 ? (level == 0 ? ch[0] : ch[level - 1]) : ch[level], ch[level]))
                if c.downAttention[level] {
                    attentions.append(try transformer("\(p).attentions.\(j)", ch[level], heads: c.heads[level],
                                                      layers: c.transformerLayers[level]))
                }
                skips.append(ch[level])
            }
            let downsample = last ? nil : try Downsample(w, "\(p).downsamplers.0", channels: ch[level], padsBottomRightOnly: false)
            if !last { skips.append(ch[level]) }
            down.append(Level(resnets: resnets, attentions: attentions, downsample: downsample, upsample: nil))
        }
        self.down = down
        let top = ch[levels - 1]
        mid = (try resnet("mid_block.resnets.0", top, top),
               try transformer("mid_block.attentions.0", top, heads: c.heads[levels - 1], layers: c.transformerLayers[levels - 1]),
               try resnet("mid_block.resnets.1", top, top))
        var up: [Level] = []
        var previous = top
        for i in 0 ..< levels {
            let level = levels - 1 - i, p = "up_blocks.\(i)", last = i == levels - 1
            var resnets: [ResnetBlock] = [], attentions: [SpatialTransformer] = []
            for j in 0 ... c.layersPerBlock[level] {
                let skip = skips.removeLast()
                resnets.append(try resnet("\(p).resnets.\(j)", (j == 0 ? previous : ch[level]) + skip, ch[level]))
                if c.upAttention[i] {
                    attentions.append(try transformer("\(p).attentions.\(j)", ch[level], heads: c.heads[level],
                                                      layers: c.transformerLayers[level]))
                }
            }
            let upsample = last ? nil : try Upsample(w, "\(p).upsamplers.0", channels: ch[level])
            up.append(Level(resnets: resnets, attentions: attentions, downsample: nil, upsample: upsample))
            previous = ch[level]
        }
        self.up = up
        normOut = try w.groupNorm("conv_norm_out", groups: c.groups, ch[0], epsilon: c.epsilon, activation: .silu)
        convOut = try w.convolution("conv_out", ch[0], c.outChannels, kernel: 3, padding: 1)
    }

    /// The model's prediction for `latents` (height × width × in channels) at
    /// `timestep`, attending to `context` (1 × tokens × context channels).
    public func predict(_ latents: Tensor, timestep: Float, context: Tensor, threads: Int) throws -> Tensor {
        let c = configuration
        guard latents.channels == c.inChannels, context.channels == c.contextChannels else {
            throw RestoreError(.invalidArgument, "the UNet takes \(c.inChannels)-channel latents and a \(c.contextChannels)-channel context, not \(latents.shapeDescription) and \(context.shapeDescription)")
        }
        let run = ModelRun(threads: threads)
        let sinusoid = timestepEmbedding(timestep, channels: c.blockChannels[0], flipSinToCos: c.flipSinToCos,
                                         shift: c.frequencyShift)
        var time = try Tensor(height: 1, width: 1, channels: sinusoid.count)
        sinusoid.withUnsafeBufferPointer { time.pointer.update(from: $0.baseAddress!, count: $0.count) }
        time = try timeLinear2(timeLinear1(time, threads: 1), threads: 1)
        Activation.silu.apply(time.pointer, count: time.count)

        var h = try run.convolve(convIn, latents)
        var skips = [h]
        for level in down {
            for (j, resnet) in level.resnets.enumerated() {
                h = try resnet(h, time: time, run: run)
                if !level.attentions.isEmpty { h = try level.attentions[j](h, context: context, run: run) }
                skips.append(h)
            }
            if let downsample = level.downsample {
                h = try downsample(h, run: run)
                skips.append(h)
            }
        }
        h = try mid.0(h, time: time, run: run)
        h = try mid.1(h, context: context, run: run)
        h = try mid.2(h, time: time, run: run)
        for level in up {
            for (j, resnet) in level.resnets.enumerated() {
                h = try resnet(concatenateChannels(h, skips.removeLast(), threads: run.threads), time: time, run: run)
                if !level.attentions.isEmpty { h = try level.attentions[j](h, context: context, run: run) }
            }
            if let upsample = level.upsample, let next = skips.last {
                h = try upsample(h, height: next.height, width: next.width, run: run)
            }
        }
        return try run.convolve(convOut, normOut(h, threads: run.threads))
    }
}
