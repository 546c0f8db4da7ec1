/// diffusers' `Attention` without its optional parts: query, key and value
/// projections, multi-head attention and the output projection (`to_q`,
/// `to_k`, `to_v`, `to_out.0`). Self-attention when no context is given,
/// cross-attention over the context's tokens (the text) otherwise.
struct AttentionLayer: Sendable {
    let heads: Int
    private let query, key, value, output: Linear

    /// `inner` = heads × head size channels; keys and values come from
    /// `contextChannels` (the query's width for self-attention).
    init(_ weights: WeightStore, _ prefix: String, channels: Int, contextChannels: Int, heads: Int, inner: Int,
         projectionBias: Bool) throws {
        guard heads > 0, inner % heads == 0 else {
            throw RestoreError(.model, "\(weights.source): \(prefix): \(inner) channels do not split into \(heads) heads")
        }
        self.heads = heads
        query = try weights.linear(prefix + ".to_q", channels, inner, bias: projectionBias)
        key = try weights.linear(prefix + ".to_k", contextChannels, inner, bias: projectionBias)
        value = try weights.linear(prefix + ".to_v", contextChannels, inner, bias: projectionBias)
        output = try weights.linear(prefix + ".to_out.0", inner, channels)
    }

    func callAsFunction(_ x: Tensor, context: Tensor? = nil, threads: Int) throws -> Tensor {
        let source = context ?? x
        let attended = try Attention.multiHead(q: query(x, threads: threads), k: key(source, threads: threads),
                                               v: value(source, threads: threads), heads: heads, threads: threads)
        return try output(attended, threads: threads)
    }
}
