/// ncnn `ReLU`: max(x, 0), or x · slope for negative x when parameter 0
/// (slope) is nonzero (LeakyReLU).
struct ReLULayer: Layer {
    private let activation: Activation

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        let slope = params.float(0, 0)
        activation = slope == 0 ? .relu : .leakyReLU(slope: slope)
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let activation = activation
        return try mapElements(&inputs, threads: context.threads) { out, x, range in
            if out != x { (out + range.lowerBound).update(from: x + range.lowerBound, count: range.count) }
            activation.apply(out + range.lowerBound, count: range.count)
        }
    }
}
