/// One layer of an ncnn network, named by its `.param` type string.
///
/// As in ncnn, a layer reads its integer-keyed parameters (each with a
/// default) and then its weights, in file order, when it is created; after
/// that it is immutable and may run on several threads at once.
protocol Layer: Sendable {
    /// Reads parameters and weights (ncnn's `load_param` then `load_model`).
    init(params: ParamDict, weights: inout ModelBinReader) throws

    /// How many input and output blobs this layer takes, given its parameters.
    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { get }

    /// Computes the outputs. Throws `RestoreError` for inputs it cannot take
    /// (wrong channel count, sizes that do not broadcast); the network adds the
    /// layer's name. `inputs` is the layer's to use up: an input nothing else
    /// references may be overwritten and returned as an output.
    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor]

    /// Multiply-adds of the layer for the given input shapes (progress weights
    /// and the benchmark's GFLOP/s); 0 for layers that only move data.
    func multiplyAdds(inputs: [Tensor]) -> Double
}

extension Layer {
    func multiplyAdds(inputs: [Tensor]) -> Double { 0 }
}

/// What a running layer may use: its share of threads and the scratch
/// buffers of the forward pass.
struct ForwardContext {
    let threads: Int
    let workspace: Workspace
    /// Output blobs the layer line names (what `Split` fans out to).
    let outputCount: Int
}

/// The message for a layer whose input cannot be processed.
func shapeError(_ what: String) -> RestoreError {
    RestoreError(.model, what)
}

/// Runs a one-input element-wise layer: `body(out, in, range)` fills
/// `out[range]` from `in[range]`, in place when the input is not shared.
func mapElements(_ inputs: inout [Tensor], threads: Int,
                 _ body: @escaping (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Range<Int>) -> Void) throws -> [Tensor] {
    let inPlace = inputs[0].isUniquelyReferenced()
    let x = inputs[0]
    let out = inPlace ? x : try Tensor(height: x.height, width: x.width, channels: x.channels)
    WorkSplit.forEachRange(x.count, threads: threads) { range in body(out.pointer, x.pointer, range) }
    return [out]
}
