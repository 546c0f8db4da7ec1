/// ncnn `PReLU`: x for x ≥ 0, else x · slope, with one slope per channel
/// (parameter 0 = channel count, weights: that many raw float32 slopes) or a
/// single slope for all.
struct PReLULayer: Layer {
    private let slopes: [Float]

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        let count = params.int(0, 0)
        guard count > 0 else { throw RestoreError(.model, "PReLU needs a positive slope count (parameter 0)") }
        slopes = try weights.loadRaw(count)
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let channels = inputs[0].channels
        guard slopes.count == 1 || slopes.count == channels else {
            throw shapeError("PReLU has \(slopes.count) slopes for \(channels) channels")
        }
        let slopes = slopes.count == 1 ? [Float](repeating: slopes[0], count: channels) : slopes
        return try mapElements(&inputs, threads: context.threads) { out, x, range in
            for i in range {
                let v = x[i]
                out[i] = v < 0 ? v * slopes[i % channels] : v
            }
        }
    }
}
