/// diffusers' `Transformer2DModel` as Stable Diffusion's UNet uses it: group
/// norm, a pointwise projection in (a 1×1 convolution in SD 1.x, a linear
/// layer in SD 2.x: the same computation), transformer blocks over the pixels
/// as tokens, a projection out, plus the input.
struct SpatialTransformer: Sendable {
    /// `BasicTransformerBlock`: self-attention, cross-attention over the text,
    /// and a GEGLU feed-forward layer, each after a layer norm and added back.
    private struct Block: Sendable {
        let norm1: LayerNorm
        let selfAttention: AttentionLayer
        let norm2: LayerNorm
        let crossAttention: AttentionLayer
        let norm3: LayerNorm
        let feedForwardIn: Linear
        let feedForwardOut: Linear
    }

    private let norm: GroupNorm
    private let projectIn: Linear
    private let blocks: [Block]
    private let projectOut: Linear

    init(_ weights: WeightStore, _ prefix: String, channels: Int, heads: Int, layers: Int, contextChannels: Int,
         groups: Int) throws {
        norm = try weights.groupNorm(prefix + ".norm", groups: groups, channels, epsilon: 1e-6)
        projectIn = try weights.pointwise(prefix + ".proj_in", channels, channels)
        blocks = try (0 ..< layers).map { i in
            let p = "\(prefix).transformer_blocks.\(i)"
            return Block(
                norm1: try weights.layerNorm(p + ".norm1", channels, epsilon: 1e-5),
                selfAttention: try AttentionLayer(weights, p + ".attn1", channels: channels, contextChannels: channels,
                                                  heads: heads, inner: channels, projectionBias: false),
                norm2: try weights.layerNorm(p + ".norm2", channels, epsilon: 1e-5),
                crossAttention: try AttentionLayer(weights, p + ".attn2", channels: channels,
                                                   contextChannels: contextChannels, heads: heads, inner: channels,
                                                   projectionBias: false),
                norm3: try weights.layerNorm(p + ".norm3", channels, epsilon: 1e-5),
                feedForwardIn: try weights.linear(p + ".ff.net.0.proj", channels, 8 * channels),
                feedForwardOut: try weights.linear(p + ".ff.net.2", 4 * channels, channels))
        }
        projectOut = try weights.pointwise(prefix + ".proj_out", channels, channels)
    }

    func callAsFunction(_ x: Tensor, context: Tensor, run: ModelRun) throws -> Tensor {
        let t = run.threads
        var h = try projectIn(norm(x, threads: t), threads: t)
        for block in blocks {
            try run.onLayer?()
            h = try add(h, block.selfAttention(block.norm1(h, threads: t), threads: t), threads: t)
            try run.onLayer?()
            h = try add(h, block.crossAttention(block.norm2(h, threads: t), context: context, threads: t), threads: t)
            let gated = try gatedGELU(block.feedForwardIn(block.norm3(h, threads: t), threads: t), threads: t)
            h = try add(h, block.feedForwardOut(gated, threads: t), threads: t)
        }
        return try add(x, projectOut(h, threads: t), threads: t)
    }
}
