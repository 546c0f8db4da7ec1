/// The first half of a diffusion UNet, which a ControlNet copies: the time
/// embedding, the input convolution, the down blocks and the mid block. It
/// returns the mid block's output and the skip connections the up blocks join.
struct UNetEncoder: Sendable {
    private struct Level: Sendable {
        let resnets: [ResnetBlock]
        let attentions: [SpatialTransformer]
        let downsample: Downsample?
    }

    let configuration: UNetConfiguration
    private let timeLinear1: Linear
    private let timeLinear2: Linear
    let convIn: ConvolutionLayer
    private let levels: [Level]
    private let mid: (ResnetBlock, SpatialTransformer, ResnetBlock)
    /// The channels of each skip connection, in the order they are made.
    let skipChannels: [Int]

    init(configuration c: UNetConfiguration, weights w: WeightStore) throws {
        configuration = c
        let ch = c.blockChannels, count = ch.count
        timeLinear1 = try w.linear("time_embedding.linear_1", ch[0], c.timeChannels, activation: .silu)
        // Every resnet reads SiLU of the embedding, so the SiLU is applied once here.
        timeLinear2 = try w.linear("time_embedding.linear_2", c.timeChannels, c.timeChannels, activation: .silu)
        convIn = try w.convolution("conv_in", c.inChannels, ch[0], kernel: 3, padding: 1)
        var skips = [ch[0]]
        levels = try (0 ..< count).map { level in
            let p = "down_blocks.\(level)", last = level == count - 1
            var resnets: [ResnetBlock] = [], attentions: [SpatialTransformer] = []
            for j in 0 ..< c.layersPerBlock[level] {
                resnets.append(try c.resnet(w, "\(p).resnets.\(j)", j == 0 ? ch[max(level - 1, 0)] : ch[level], ch[level]))
                if c.downAttention[level] {
                    attentions.append(try c.transformer(w, "\(p).attentions.\(j)", level: level))
                }
                skips.append(ch[level])
            }
            if !last { skips.append(ch[level]) }
            return Level(resnets: resnets, attentions: attentions,
                         downsample: last ? nil : try Downsample(w, "\(p).downsamplers.0", channels: ch[level],
                                                                 padsBottomRightOnly: false))
        }
        skipChannels = skips
        let top = ch[count - 1]
        mid = (try c.resnet(w, "mid_block.resnets.0", top, top),
               try c.transformer(w, "mid_block.attentions.0", level: count - 1),
               try c.resnet(w, "mid_block.resnets.1", top, top))
    }

    /// SiLU of the time embedding of `timestep` (1 × 1 × time channels), what every resnet reads.
    func time(_ timestep: Float) throws -> Tensor {
        let c = configuration
        let sinusoid = timestepEmbedding(timestep, channels: c.blockChannels[0], flipSinToCos: c.flipSinToCos,
                                         shift: c.frequencyShift)
        let input = try Tensor(interleaved: sinusoid, height: 1, width: 1, channels: sinusoid.count)
        return try timeLinear2(timeLinear1(input, threads: 1), threads: 1)
    }

    /// The down and mid blocks on `h` (the input convolution's output): the mid
    /// block's output and the skip connections, `h` first.
    func callAsFunction(_ h: Tensor, time: Tensor, context: Tensor, run: ModelRun) throws -> (Tensor, [Tensor]) {
        var h = h
        var skips = [h]
        for level in levels {
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
        return (try mid.2(h, time: time, run: run), skips)
    }
}

extension UNetConfiguration {
    /// A resnet with this configuration's norms and time embedding.
    func resnet(_ w: WeightStore, _ prefix: String, _ inputs: Int, _ outputs: Int) throws -> ResnetBlock {
        try ResnetBlock(w, prefix, inputs: inputs, outputs: outputs, groups: groups, epsilon: epsilon,
                        timeChannels: timeChannels)
    }

    /// The spatial transformer of `level` (its width, heads and depth).
    func transformer(_ w: WeightStore, _ prefix: String, level: Int) throws -> SpatialTransformer {
        try SpatialTransformer(w, prefix, channels: blockChannels[level], heads: heads[level],
                               layers: transformerLayers[level], contextChannels: contextChannels, groups: groups)
    }
}
