#if canImport(Glibc)
import Glibc
#endif

/// ncnn `Sigmoid`: 1 / (1 + e^−x).
struct SigmoidLayer: Layer {
    init(params: ParamDict, weights: inout ModelBinReader) throws {}

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        try mapElements(&inputs, threads: context.threads) { out, x, range in
            for i in range { out[i] = 1 / (1 + expf(-x[i])) }
        }
    }
}
