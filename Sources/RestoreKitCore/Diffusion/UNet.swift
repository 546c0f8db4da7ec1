/// Stable Diffusion's denoising network as diffusers' `UNet2DConditionModel`
/// computes it, for SD 1.x and 2.x layouts and any sizes their configurations
/// give: the noisy latents, a timestep and the text's hidden states in; the
/// predicted noise (or velocity, for v-prediction models) out. A ControlNet's
/// residuals, when given, are added to the skip connections and the mid block.
public final class UNet: Sendable {
    private struct Level: Sendable {
        let resnets: [ResnetBlock]
        let attentions: [SpatialTransformer]
        let upsample: Upsample?
    }

    public var configuration: UNetConfiguration { encoder.configuration }
    private let encoder: UNetEncoder
    /// Freed tensors and widened weights (up to 512 MiB idle) kept for the next layers and runs.
    private let pool = TensorPool(limit: 1 << 27)
    private let up: [Level]
    private let normOut: GroupNorm
    private let convOut: ConvolutionLayer

    /// The UNet of a diffusers `unet/` folder, with `loras` merged at their scales.
    public convenience init(folder: String, variant: String? = nil, loras: [(LoRA, scale: Float)] = []) throws {
        try self.init(component: DiffusersComponent(path: folder, variant: variant), loras: loras)
    }

    /// The UNet of `component`, with `loras` merged at their scales.
    convenience init(component: DiffusersComponent, loras: [(LoRA, scale: Float)] = []) throws {
        for (lora, scale) in loras { try lora.merge(into: component.weights, target: .unet, scale: scale) }
        try self.init(configuration: UNetConfiguration(component), weights: component.weights)
        try component.weights.finish()
    }

    /// The UNet of `configuration` with weights named as diffusers names them.
    init(configuration c: UNetConfiguration, weights w: WeightStore) throws {
        encoder = try UNetEncoder(configuration: c, weights: w)
        let ch = c.blockChannels, levels = ch.count
        var skips = encoder.skipChannels
        var previous = ch[levels - 1]
        up = try (0 ..< levels).map { i in
            let level = levels - 1 - i, p = "up_blocks.\(i)"
            var resnets: [ResnetBlock] = [], attentions: [SpatialTransformer] = []
            for j in 0 ... c.layersPerBlock[level] {
                let skip = skips.removeLast()
                resnets.append(try c.resnet(w, "\(p).resnets.\(j)", (j == 0 ? previous : ch[level]) + skip, ch[level]))
                if c.upAttention[i] { attentions.append(try c.transformer(w, "\(p).attentions.\(j)", level: level)) }
            }
            previous = ch[level]
            return Level(resnets: resnets, attentions: attentions,
                         upsample: i == levels - 1 ? nil : try Upsample(w, "\(p).upsamplers.0", channels: ch[level]))
        }
        normOut = try w.groupNorm("conv_norm_out", groups: c.groups, ch[0], epsilon: c.epsilon, activation: .silu)
        convOut = try w.convolution("conv_out", ch[0], c.outChannels, kernel: 3, padding: 1)
    }

    /// The model's prediction for `latents` (height × width × in channels) at
    /// `timestep`, attending to `context` (1 × tokens × context channels), with
    /// a ControlNet's `control` residuals added when given. `onLayer` is called
    /// at each layer; what it throws stops the evaluation.
    public func predict(_ latents: Tensor, timestep: Float, context: Tensor, control: ControlResiduals? = nil,
                        threads: Int, onLayer: (() throws -> Void)? = nil) throws -> Tensor {
        let c = configuration
        guard latents.channels == c.inChannels, context.channels == c.contextChannels else {
            throw RestoreError(.invalidArgument, "the UNet takes \(c.inChannels)-channel latents and a \(c.contextChannels)-channel context, not \(latents.shapeDescription) and \(context.shapeDescription)")
        }
        return try ModelRun.with(threads: threads, pool: pool, onLayer: onLayer) { run in
            let time = try encoder.time(timestep)
            var (h, skips) = try encoder(run.convolve(encoder.convIn, latents), time: time, context: context, run: run)
            if let control {
                guard control.skips.count == skips.count, zip(control.skips, skips).allSatisfy({ $0.hasShape(of: $1) }),
                      control.mid.hasShape(of: h) else {
                    throw RestoreError(.invalidArgument, "the ControlNet's residuals do not match this UNet's blocks")
                }
                skips = try zip(skips, control.skips).map { try add($0, $1, threads: run.threads) }
                h = try add(h, control.mid, threads: run.threads)
            }
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
}
