/// ncnn `Split`: hands the same blob to several consumers (no copy; tensors
/// share storage, and a shared tensor is never written in place).
struct SplitLayer: Layer {
    init(params: ParamDict, weights: inout ModelBinReader) throws {}

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... Int.max) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        Array(repeating: inputs[0], count: context.outputCount)
    }
}
