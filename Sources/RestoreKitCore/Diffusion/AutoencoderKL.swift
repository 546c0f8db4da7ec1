#if canImport(Glibc)
import Glibc
#endif

/// Stable Diffusion's variational autoencoder as diffusers' `AutoencoderKL`
/// computes it: the encoder maps an image (values in −1…1) to the mean of its
/// latent distribution, the decoder maps latents back to an image. Both take
/// and give unscaled latents; the pipeline multiplies by `scalingFactor`.
public final class AutoencoderKL: Sendable {
    /// What a `vae/config.json` gives, with diffusers' defaults.
    public struct Configuration: Sendable, Equatable {
        public var inChannels: Int
        public var outChannels: Int
        public var latentChannels: Int
        public var blockChannels: [Int]
        public var layersPerBlock: Int
        public var groups: Int
        public var scalingFactor: Float
        public var usesQuantConvolution: Bool
        public var usesPostQuantConvolution: Bool
        public var midBlockAttention: Bool

        init(_ component: DiffusersComponent) throws {
            inChannels = try component.integer("in_channels", default: 3)
            outChannels = try component.integer("out_channels", default: 3)
            latentChannels = try component.integer("latent_channels", default: 4)
            let channels = try component.integerList("block_out_channels")
            // Each level but the last halves the image: more than 16 would make `downscale` absurd, and overflow.
            guard channels.count <= 16 else {
                throw RestoreError(.model, "'\(component.path)/config.json': 'block_out_channels' has \(channels.count) levels; at most 16 are supported")
            }
            blockChannels = channels
            layersPerBlock = try component.integer("layers_per_block", default: 1)
            groups = try component.integer("norm_num_groups", default: 32)
            scalingFactor = Float(try component.number("scaling_factor", default: 0.18215))
            usesQuantConvolution = try component.flag("use_quant_conv", default: true)
            usesPostQuantConvolution = try component.flag("use_post_quant_conv", default: true)
            midBlockAttention = try component.flag("mid_block_add_attention", default: true)
            for (key, allowed) in [("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D")] {
                let types = try component.strings(key)
                guard types.count == channels.count, types.allSatisfy({ $0 == allowed }) else {
                    throw RestoreError(.unsupported, "'\(component.path)/config.json': '\(key)' must be \(channels.count) × \(allowed), not \(types)")
                }
            }
            if let value = component.config["act_fn"], value != .string("silu") {
                throw RestoreError(.unsupported, "'\(component.path)/config.json': act_fn \(value.kindDescription) is not supported (silu)")
            }
            if let shift = component.config["shift_factor"], !shift.isNull, shift != .number(0) {
                throw RestoreError(.unsupported, "'\(component.path)/config.json': a latent shift_factor is not supported")
            }
            let sizes = [inChannels, outChannels, latentChannels, layersPerBlock, groups] + channels
            guard sizes.allSatisfy({ (1 ... 1 << 16).contains($0) }), channels.allSatisfy({ $0 % groups == 0 }) else {
                throw RestoreError(.model, "'\(component.path)/config.json': sizes out of range, or block widths \(channels) not divisible by \(groups) groups")
            }
        }

        /// How many times the encoder halves the image's sides.
        public var downscale: Int { 1 << (blockChannels.count - 1) }
    }

    /// The mid block: resnet, single-head self-attention with a group norm, resnet.
    private struct Middle: Sendable {
        let resnet1: ResnetBlock
        let norm: GroupNorm?
        let attention: AttentionLayer?
        let resnet2: ResnetBlock

        init(_ w: WeightStore, _ prefix: String, channels: Int, groups: Int, attention: Bool) throws {
            resnet1 = try ResnetBlock(w, prefix + ".resnets.0", inputs: channels, outputs: channels, groups: groups,
                                      epsilon: 1e-6, timeChannels: nil)
            norm = attention ? try w.groupNorm(prefix + ".attentions.0.group_norm", groups: groups, channels, epsilon: 1e-6) : nil
            self.attention = attention
                ? try AttentionLayer(w, prefix + ".attentions.0", channels: channels, contextChannels: channels, heads: 1,
                                     inner: channels, projectionBias: true)
                : nil
            resnet2 = try ResnetBlock(w, prefix + ".resnets.1", inputs: channels, outputs: channels, groups: groups,
                                      epsilon: 1e-6, timeChannels: nil)
        }

        func callAsFunction(_ x: Tensor, run: ModelRun) throws -> Tensor {
            var h = try resnet1(x, time: nil, run: run)
            if let norm, let attention {
                h = try add(h, attention(norm(h, threads: run.threads), threads: run.threads), threads: run.threads)
            }
            return try resnet2(h, time: nil, run: run)
        }
    }

    private struct Level: Sendable {
        let resnets: [ResnetBlock]
        let downsample: Downsample?
        let upsample: Upsample?
    }

    public let configuration: Configuration
    /// Freed tensors and widened weights (up to 256 MiB idle) kept for the next layers and runs.
    private let pool = TensorPool(limit: 1 << 26)
    private let encoderIn: ConvolutionLayer
    private let encoderLevels: [Level]
    private let encoderMiddle: Middle
    private let encoderNorm: GroupNorm
    private let encoderOut: ConvolutionLayer
    private let quant: Linear?
    private let postQuant: Linear?
    private let decoderIn: ConvolutionLayer
    private let decoderMiddle: Middle
    private let decoderLevels: [Level]
    private let decoderNorm: GroupNorm
    private let decoderOut: ConvolutionLayer

    /// The autoencoder of a diffusers `vae/` folder.
    public convenience init(folder: String, variant: String? = nil) throws {
        try self.init(component: DiffusersComponent(path: folder, variant: variant))
    }

    /// The autoencoder of `component`.
    convenience init(component: DiffusersComponent) throws {
        try self.init(configuration: Configuration(component), weights: component.weights)
        try component.weights.finish()
    }

    /// The autoencoder of `configuration` with weights named as diffusers names them.
    init(configuration c: Configuration, weights w: WeightStore) throws {
        configuration = c
        let ch = c.blockChannels, levels = ch.count, g = c.groups, latent = c.latentChannels
        func resnet(_ prefix: String, _ inputs: Int, _ outputs: Int) throws -> ResnetBlock {
            try ResnetBlock(w, prefix, inputs: inputs, outputs: outputs, groups: g, epsilon: 1e-6, timeChannels: nil)
        }
        encoderIn = try w.convolution("encoder.conv_in", c.inChannels, ch[0], kernel: 3, padding: 1)
        encoderLevels = try (0 ..< levels).map { level in
            let p = "encoder.down_blocks.\(level)"
            return Level(
                resnets: try (0 ..< c.layersPerBlock).map { j in
                    try resnet("\(p).resnets.\(j)", j == 0 ? ch[max(level - 1, 0)] : ch[level], ch[level])
                },
                downsample: level == levels - 1 ? nil
                    : try Downsample(w, "\(p).downsamplers.0", channels: ch[level], padsBottomRightOnly: true),
                upsample: nil)
        }
        encoderMiddle = try Middle(w, "encoder.mid_block", channels: ch[levels - 1], groups: g, attention: c.midBlockAttention)
        encoderNorm = try w.groupNorm("encoder.conv_norm_out", groups: g, ch[levels - 1], epsilon: 1e-6, activation: .silu)
        encoderOut = try w.convolution("encoder.conv_out", ch[levels - 1], 2 * latent, kernel: 3, padding: 1)
        quant = c.usesQuantConvolution ? try w.pointwise("quant_conv", 2 * latent, 2 * latent) : nil
        postQuant = c.usesPostQuantConvolution ? try w.pointwise("post_quant_conv", latent, latent) : nil
        decoderIn = try w.convolution("decoder.conv_in", latent, ch[levels - 1], kernel: 3, padding: 1)
        decoderMiddle = try Middle(w, "decoder.mid_block", channels: ch[levels - 1], groups: g, attention: c.midBlockAttention)
        decoderLevels = try (0 ..< levels).map { i in
            let level = levels - 1 - i, p = "decoder.up_blocks.\(i)"
            return Level(
                resnets: try (0 ... c.layersPerBlock).map { j in
                    try resnet("\(p).resnets.\(j)", j == 0 ? ch[min(level + 1, levels - 1)] : ch[level], ch[level])
                },
                downsample: nil,
                upsample: i == levels - 1 ? nil : try Upsample(w, "\(p).upsamplers.0", channels: ch[level]))
        }
        decoderNorm = try w.groupNorm("decoder.conv_norm_out", groups: g, ch[0], epsilon: 1e-6, activation: .silu)
        decoderOut = try w.convolution("decoder.conv_out", ch[0], c.outChannels, kernel: 3, padding: 1)
    }

    /// The mean of the latent distribution of `image` (height × width × in
    /// channels, values in −1…1): height/downscale × width/downscale × latent
    /// channels. `tiling` bands the levels above the latent resolution (the same
    /// result, less memory for large images); `onLayer` is called at each layer
    /// and what it throws stops the pass.
    public func encode(_ image: Tensor, tiling: Tiling = .automatic, threads: Int,
                       onLayer: (() throws -> Void)? = nil) throws -> Tensor {
        try moments(image, tiling: tiling, threads: threads, onLayer: onLayer).mean
    }

    /// The latent distribution of `image` as `encode` takes it: its mean and its
    /// standard deviation (e^(log variance / 2), the log variance clamped to
    /// −30…20 as diffusers' `DiagonalGaussianDistribution` does).
    public func latentDistribution(_ image: Tensor, tiling: Tiling = .automatic, threads: Int,
                                   onLayer: (() throws -> Void)? = nil) throws -> (mean: Tensor, deviation: Tensor) {
        let (mean, logVariance) = try moments(image, tiling: tiling, threads: threads, onLayer: onLayer)
        for i in 0 ..< logVariance.count {
            logVariance.pointer[i] = exp(0.5 * min(max(logVariance.pointer[i], -30), 20))
        }
        return (mean, logVariance)
    }

    /// The encoder's two halves of output channels: the latent mean and log variance.
    private func moments(_ image: Tensor, tiling: Tiling, threads: Int,
                         onLayer: (() throws -> Void)?) throws -> (mean: Tensor, logVariance: Tensor) {
        let c = configuration
        guard image.channels == c.inChannels, image.height % c.downscale == 0, image.width % c.downscale == 0 else {
            throw RestoreError(.invalidArgument, "the VAE encodes \(c.inChannels)-channel images whose sides are multiples of \(c.downscale), not \(image.shapeDescription)")
        }
        let bands = try tiling.bands(latentHeight: image.height / c.downscale, width: image.width / c.downscale)
        return try ModelRun.with(threads: threads, pool: pool, onLayer: onLayer) { run in
            var h = try bands.assemble(height: image.height, width: image.width, channels: c.blockChannels[0]) { band in
                try bands.convolve(encoderIn, rows: band, height: image.height, run: run) { try rows($0, of: image) }
            }
            for level in encoderLevels {
                for resnet in level.resnets { h = try resnet(consume h, bands: bands, run: run) }
                if let downsample = level.downsample { h = try downsample(h, bands: bands, run: run) }
            }
            h = try run.convolve(encoderOut, encoderNorm(encoderMiddle(h, run: run), threads: run.threads))
            if let quant { h = try quant(h, threads: run.threads) }
            let n = c.latentChannels
            let mean = try Tensor(height: h.height, width: h.width, channels: n)
            let logVariance = try Tensor(height: h.height, width: h.width, channels: n)
            for p in 0 ..< h.height * h.width {
                (mean.pointer + p * n).update(from: h.pointer + p * h.channels, count: n)
                (logVariance.pointer + p * n).update(from: h.pointer + p * h.channels + n, count: n)
            }
            return (mean, logVariance)
        }
    }

    /// The image (values around −1…1) decoded from unscaled `latents`. `tiling`
    /// bands the levels above the latent resolution (the same result, less
    /// memory for large images); `onLayer` is called at each layer and what it
    /// throws stops the pass.
    public func decode(_ latents: Tensor, tiling: Tiling = .automatic, threads: Int,
                       onLayer: (() throws -> Void)? = nil) throws -> Tensor {
        let c = configuration
        guard latents.channels == c.latentChannels else {
            throw RestoreError(.invalidArgument, "the VAE decodes \(c.latentChannels)-channel latents, not \(latents.shapeDescription)")
        }
        let bands = try tiling.bands(latentHeight: latents.height, width: latents.width)
        return try ModelRun.with(threads: threads, pool: pool, onLayer: onLayer) { run in
            var h = latents
            if let postQuant { h = try postQuant(h, threads: run.threads) }
            h = try decoderMiddle(run.convolve(decoderIn, h), run: run)
            for level in decoderLevels {
                for resnet in level.resnets { h = try resnet(consume h, bands: bands, run: run) }
                if let upsample = level.upsample { h = try upsample(h, bands: bands, run: run) }
            }
            let normalization = try decoderNorm.normalization(of: h, threads: run.threads)
            return try bands.assemble(height: h.height, width: h.width, channels: c.outChannels) { band in
                try bands.convolve(decoderOut, rows: band, height: h.height, run: run) {
                    try decoderNorm(rows($0, of: h), normalization, threads: run.threads)
                }
            }
        }
    }
}
