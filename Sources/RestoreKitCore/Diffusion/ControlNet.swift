/// What a ControlNet adds to a UNet: one residual per skip connection and one
/// for the mid block, already scaled by the conditioning scale.
public struct ControlResiduals: Sendable {
    public var skips: [Tensor]
    public var mid: Tensor
}

/// diffusers' `ControlNetModel`: a copy of the UNet's first half that also
/// sees a conditioning image (an edge map, a depth map, the image itself for
/// the tile ControlNet), embedded by a small convolutional network and added
/// after the input convolution; pointwise "zero" convolutions turn its skip
/// connections and mid block output into residuals for the UNet.
public final class ControlNet: Sendable {
    public var configuration: UNetConfiguration { encoder.configuration }
    private let encoder: UNetEncoder
    /// Freed tensors and widened weights (up to 512 MiB idle) kept for the next layers and runs.
    private let pool = TensorPool(limit: 1 << 27)
    private let conditioningIn: ConvolutionLayer
    private let conditioningBlocks: [ConvolutionLayer]
    private let conditioningOut: ConvolutionLayer
    private let skipProjections: [Linear]
    private let midProjection: Linear
    /// How many times the conditioning embedding halves the image (8 for SD's VAE).
    public let downscale: Int
    /// Whether the conditioning image is expected in BGR order (then flipped to RGB).
    private let bgr: Bool

    /// The ControlNet of a diffusers folder (`config.json` and its weights).
    public convenience init(folder: String, variant: String? = nil) throws {
        let component = try DiffusersComponent(path: folder, variant: variant)
        try self.init(component)
        try component.weights.finish()
    }

    init(_ component: DiffusersComponent) throws {
        let c = try UNetConfiguration(component, upBlocks: false)
        let w = component.weights
        guard try !component.flag("global_pool_conditions", default: false) else {
            throw RestoreError(.unsupported, "'\(component.path)/config.json': global_pool_conditions is not supported")
        }
        switch try component.string("controlnet_conditioning_channel_order", default: "rgb") {
        case "rgb": bgr = false
        case "bgr": bgr = true
        case let other: throw RestoreError(.model, "'\(component.path)/config.json': channel order '\(other)' is neither rgb nor bgr")
        }
        let inputs = try component.integer("conditioning_channels", default: 3)
        let widths: [Int]
        if let list = component.config["conditioning_embedding_out_channels"]?.array {
            widths = list.compactMap(\.int)
            // Each width but the last halves the image: more than 16 would make `downscale` absurd, and overflow.
            guard widths.count == list.count, (1 ... 16).contains(widths.count),
                  widths.allSatisfy({ (1 ... 1 << 16).contains($0) }) else {
                throw component.invalid("conditioning_embedding_out_channels", .array(list), "a list of 1 to 16 channel counts")
            }
        } else {
            widths = [16, 32, 96, 256]
        }
        encoder = try UNetEncoder(configuration: c, weights: w)
        conditioningIn = try w.convolution("controlnet_cond_embedding.conv_in", inputs, widths[0], kernel: 3, padding: 1,
                                           activation: .silu)
        conditioningBlocks = try (0 ..< widths.count - 1).flatMap { i in
            [try w.convolution("controlnet_cond_embedding.blocks.\(2 * i)", widths[i], widths[i], kernel: 3, padding: 1,
                               activation: .silu),
             try w.convolution("controlnet_cond_embedding.blocks.\(2 * i + 1)", widths[i], widths[i + 1], kernel: 3,
                               stride: 2, padding: 1, activation: .silu)]
        }
        conditioningOut = try w.convolution("controlnet_cond_embedding.conv_out", widths[widths.count - 1],
                                            c.blockChannels[0], kernel: 3, padding: 1)
        skipProjections = try encoder.skipChannels.enumerated().map { i, channels in
            try w.pointwise("controlnet_down_blocks.\(i)", channels, channels)
        }
        let top = c.blockChannels[c.blockChannels.count - 1]
        midProjection = try w.pointwise("controlnet_mid_block", top, top)
        downscale = 1 << (widths.count - 1)
    }

    /// The residuals for `latents` at `timestep` with `context`, conditioned on
    /// `image` (values 0…1, `downscale` times the latents' size), times `scale`.
    /// `onLayer` is called at each layer; what it throws stops the evaluation.
    public func residuals(_ latents: Tensor, timestep: Float, context: Tensor, image: Tensor, scale: Float,
                          threads: Int, onLayer: (() throws -> Void)? = nil) throws -> ControlResiduals {
        let c = configuration
        guard latents.channels == c.inChannels, context.channels == c.contextChannels,
              image.height == latents.height * downscale, image.width == latents.width * downscale else {
            throw RestoreError(.invalidArgument, "the ControlNet takes \(c.inChannels)-channel latents, a \(c.contextChannels)-channel context and a conditioning image \(downscale)× the latents' size, not \(latents.shapeDescription), \(context.shapeDescription) and \(image.shapeDescription)")
        }
        return try ModelRun.with(threads: threads, pool: pool, onLayer: onLayer) { run in
            var embedding = try run.convolve(conditioningIn, bgr ? reversedChannels(image) : image)
            for block in conditioningBlocks { embedding = try run.convolve(block, embedding) }
            let h = try run.convolve(encoder.convIn, latents, residual: run.convolve(conditioningOut, embedding))
            let (mid, skips) = try encoder(h, time: encoder.time(timestep), context: context, run: run)
            func project(_ layer: Linear, _ x: Tensor) throws -> Tensor {
                let out = try layer(x, threads: run.threads)
                for i in 0 ..< out.count { out.pointer[i] *= scale }
                return out
            }
            return ControlResiduals(skips: try zip(skipProjections, skips).map { try project($0, $1) },
                                    mid: try project(midProjection, mid))
        }
    }

    /// `image` with its channel order reversed.
    private func reversedChannels(_ image: Tensor) throws -> Tensor {
        let out = try Tensor(height: image.height, width: image.width, channels: image.channels)
        let c = image.channels
        for p in 0 ..< image.height * image.width {
            for j in 0 ..< c { out.pointer[p * c + j] = image.pointer[p * c + c - 1 - j] }
        }
        return out
    }
}
