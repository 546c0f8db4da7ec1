/// A linear map between two sampled lines (one image axis), stored as sparse
/// rows: output sample `o` is the sum over `t` in `0..<stride` of
/// `weights[o * stride + t]` times input sample `first[o] + t`.
///
/// Every row has the same `stride` (shorter rows end in zero weights) so the
/// inner loops have a fixed length. Indices are in whole-image coordinates;
/// `first[o] + t` may pass the input's end only where the weight is zero.
struct AxisTaps: Sendable {
    /// Input samples the map reads.
    let inputSize: Int
    /// The first input index of each output sample's row.
    let first: [Int]
    /// Weights per row.
    let stride: Int
    /// `first.count × stride` weights, row after row.
    let weights: [Float]

    /// Output samples the map writes.
    var outputSize: Int { first.count }

    /// Pillow's resampling from `inputSize` to `outputSize` samples with
    /// `filter` (antialiased when shrinking): the same taps `Image.resized` uses.
    init(resampling inputSize: Int, to outputSize: Int, filter: ResizeFilter) {
        let taps = Resampling.taps(inSize: inputSize, outSize: outputSize, filter: filter, antialias: true)
        self.inputSize = inputSize
        first = taps.starts
        stride = taps.stride
        weights = taps.weights
    }

    private init(inputSize: Int, first: [Int], stride: Int, weights: [Float]) {
        self.inputSize = inputSize
        self.first = first
        self.stride = stride
        self.weights = weights
    }

    /// This map applied after convolving the input with the odd-length,
    /// centred `kernel`, whose taps past the ends reflect without repeating
    /// the edge sample (reflect-101, as `Image.convolved(with:)` does), folded
    /// into one map so the composite costs one pass.
    func composed(afterConvolving kernel: [Float]) -> AxisTaps {
        let radius = kernel.count / 2
        guard radius > 0 else { return self }
        // Row o reads sources within `radius` of its own taps; reflected taps
        // fold back inside that span, so it bounds the composite row.
        let width = stride + 2 * radius
        var firsts = [Int](repeating: 0, count: outputSize)
        var combined = [Float](repeating: 0, count: outputSize * width)
        var values = [Double](repeating: 0, count: width)
        for o in 0 ..< outputSize {
            let low = max(0, first[o] - radius)
            for i in values.indices { values[i] = 0 }
            for t in 0 ..< stride {
                let w = Double(weights[o * stride + t])
                if w == 0 { continue }
                // Input sample k of this map is Σ_u kernel[u] · source[reflect(k + u − radius)].
                let k = first[o] + t
                for (u, g) in kernel.enumerated() {
                    values[Convolution.reflect101(k + u - radius, inputSize) - low] += w * Double(g)
                }
            }
            firsts[o] = low
            for t in 0 ..< width { combined[o * width + t] = Float(values[t]) }
        }
        return AxisTaps(inputSize: inputSize, first: firsts, stride: width, weights: combined)
    }
}
