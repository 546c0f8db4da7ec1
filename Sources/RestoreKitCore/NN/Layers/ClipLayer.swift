/// ncnn `Clip`: clamps to [parameter 0, parameter 1] (defaults: the float range).
struct ClipLayer: Layer {
    private let lower: Float
    private let upper: Float

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        lower = params.float(0, -.greatestFiniteMagnitude)
        upper = params.float(1, .greatestFiniteMagnitude)
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let lower = lower, upper = upper
        return try mapElements(&inputs, threads: context.threads) { out, x, range in
            for i in range { out[i] = min(max(x[i], lower), upper) }
        }
    }
}
