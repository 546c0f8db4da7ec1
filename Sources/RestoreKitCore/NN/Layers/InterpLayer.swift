/// ncnn `Interp`: resizes each channel. Parameter 0 is the method (1 nearest,
/// 2 bilinear, 3 bicubic), 1 and 2 the height and width scales, 3 and 4 a fixed output
/// height and width (used when both are set), 6 `align_corner` (bilinear).
/// With two inputs the second one's size is the target.
///
/// Sampling follows ncnn exactly: nearest takes source index ⌊i · in/out⌋
/// (with the scale's reciprocal when the size came from the scale), bilinear
/// samples at (i + ½) · in/out − ½ clamped to the border (or i · (in−1)/(out−1)
/// with `align_corner`), bicubic (Keys, a = −0.75) at the same positions
/// with its four taps folded inwards at the borders.
struct InterpLayer: Layer {
    enum Method: Int { case nearest = 1, bilinear = 2, bicubic = 3 }

    private let method: Method
    private let heightScale: Float
    private let widthScale: Float
    private let outputHeight: Int
    private let outputWidth: Int
    private let alignCorner: Bool

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        guard let method = Method(rawValue: params.int(0, 0)) else {
            throw RestoreError(.model, "Interp resize type \(params.int(0, 0)) is not supported (1 nearest, 2 bilinear, 3 bicubic)")
        }
        self.method = method
        heightScale = params.float(1, 1)
        widthScale = params.float(2, 1)
        outputHeight = params.int(3, 0)
        outputWidth = params.int(4, 0)
        alignCorner = params.int(6, 0) != 0
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 2, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0]
        let fixed = inputs.count == 2 || (outputHeight > 0 && outputWidth > 0)
        // A scaled side that is not a number or beyond the limit becomes -1, refused below.
        func scaled(_ side: Int, _ scale: Float) -> Int {
            let value = Float(side) * scale
            return value.isFinite && value >= 0 && value <= Float(1 << 20) ? Int(value) : -1
        }
        let oh = inputs.count == 2 ? inputs[1].height : fixed ? outputHeight : scaled(x.height, heightScale)
        let ow = inputs.count == 2 ? inputs[1].width : fixed ? outputWidth : scaled(x.width, widthScale)
        guard oh > 0, ow > 0, oh <= 1 << 20, ow <= 1 << 20 else {
            throw shapeError("Interp of \(x.shapeDescription) gives an invalid size \(oh) × \(ow)")
        }
        if method == .bicubic, x.height < 4 || x.width < 4 {
            throw shapeError("bicubic Interp needs at least 4 × 4 pixels, not \(x.shapeDescription)")
        }
        let out = try Tensor(height: oh, width: ow, channels: x.channels)
        let c = x.channels
        switch method {
        case .nearest:
            let hs = fixed ? Float(x.height) / Float(oh) : 1 / heightScale
            let ws = fixed ? Float(x.width) / Float(ow) : 1 / widthScale
            let columns = (0 ..< ow).map { min(Int(Float($0) * ws), x.width - 1) }
            WorkSplit.forEachRange(oh, threads: context.threads, minimumChunk: 4) { rows in
                for y in rows {
                    let sy = min(Int(Float(y) * hs), x.height - 1)
                    let src = x.pointer + sy * x.width * c, dst = out.pointer + y * ow * c
                    for (i, sx) in columns.enumerated() { (dst + i * c).update(from: src + sx * c, count: c) }
                }
            }
        case .bilinear:
            let (xs, xw) = Self.linearTaps(x.width, ow, alignCorner)
            let (ys, yw) = Self.linearTaps(x.height, oh, alignCorner)
            WorkSplit.forEachRange(oh, threads: context.threads, minimumChunk: 4) { rows in
                for y in rows {
                    let r0 = x.pointer + ys[y].0 * x.width * c, r1 = x.pointer + ys[y].1 * x.width * c
                    let b = yw[y], dst = out.pointer + y * ow * c
                    for i in 0 ..< ow {
                        let a = xw[i], s0 = xs[i].0 * c, s1 = xs[i].1 * c
                        for k in 0 ..< c {
                            let top = r0[s0 + k] * (1 - a) + r0[s1 + k] * a
                            let bottom = r1[s0 + k] * (1 - a) + r1[s1 + k] * a
                            dst[i * c + k] = top * (1 - b) + bottom * b
                        }
                    }
                }
            }
        case .bicubic:
            let columns = Self.cubicTaps(x.width, ow, alignCorner), rows = Self.cubicTaps(x.height, oh, alignCorner)
            WorkSplit.forEachRange(oh, threads: context.threads, minimumChunk: 4) { range in
                // The four source rows resampled horizontally, then combined.
                var resampled = [Float](repeating: 0, count: 4 * ow * c)
                for y in range {
                    let (first, b) = rows[y]
                    for r in 0 ..< 4 {
                        let src = x.pointer + (first + r) * x.width * c
                        for (i, (left, a)) in columns.enumerated() {
                            let p = src + left * c, q = r * ow * c + i * c
                            for k in 0 ..< c {
                                resampled[q + k] = p[k] * a[0] + p[c + k] * a[1] + p[2 * c + k] * a[2] + p[3 * c + k] * a[3]
                            }
                        }
                    }
                    let dst = out.pointer + y * ow * c, n = ow * c
                    for j in 0 ..< n {
                        dst[j] = resampled[j] * b[0] + resampled[n + j] * b[1] + resampled[2 * n + j] * b[2]
                            + resampled[3 * n + j] * b[3]
                    }
                }
            }
        }
        return [out]
    }

    /// ncnn's `linear_coeffs`: the two source indices and the weight of the
    /// second for each output index (one source pixel: both indices 0).
    static func linearTaps(_ size: Int, _ outSize: Int, _ alignCorner: Bool) -> ([(Int, Int)], [Float]) {
        var indices: [(Int, Int)] = [], weights: [Float] = []
        let scale = alignCorner ? (outSize > 1 ? Double(size - 1) / Double(outSize - 1) : 0) : Double(size) / Double(outSize)
        for i in 0 ..< outSize {
            var f = alignCorner ? Float(Double(i) * scale) : Float((Double(i) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            if s < 0 { s = 0; f = 0 }
            if s >= size - 1 { s = max(size - 2, 0); f = size > 1 ? 1 : 0 }
            indices.append((s, min(s + 1, size - 1)))
            weights.append(f)
        }
        return (indices, weights)
    }

    /// ncnn's `cubic_coeffs`: for each output index the first of its four
    /// source indices and their weights. Taps that would leave the source are
    /// folded onto the nearest one inside (so the window starts at 0 … size − 4).
    static func cubicTaps(_ size: Int, _ outSize: Int, _ alignCorner: Bool) -> [(Int, SIMD4<Float>)] {
        let scale = alignCorner ? (outSize > 1 ? Double(size - 1) / Double(outSize - 1) : 0) : Double(size) / Double(outSize)
        return (0 ..< outSize).map { i in
            var f = alignCorner ? Float(Double(i) * scale) : Float((Double(i) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            var w = keysWeights(f)
            if s <= -1 {
                s = 1
                w = SIMD4(1 - w[3], w[3], 0, 0)
            }
            if s == 0 {
                s = 1
                w = SIMD4(w[0] + w[1], w[2], w[3], 0)
            }
            if s == size - 2 {
                s = size - 3
                w = SIMD4(0, w[0], w[1], w[2] + w[3])
            }
            if s >= size - 1 {
                s = size - 3
                w = SIMD4(0, 0, w[0], 1 - w[0])
            }
            return (s - 1, w)
        }
    }

    /// Keys' cubic convolution weights (a = −0.75, as OpenCV and ncnn) of the
    /// four pixels around a sample `f` past the second one; they sum to 1.
    private static func keysWeights(_ f: Float) -> SIMD4<Float> {
        let a: Float = -0.75
        let f0 = f + 1, f1 = f, f2 = 1 - f
        let w0 = a * f0 * f0 * f0 - 5 * a * f0 * f0 + 8 * a * f0 - 4 * a
        let w1 = (a + 2) * f1 * f1 * f1 - (a + 3) * f1 * f1 + 1
        let w2 = (a + 2) * f2 * f2 * f2 - (a + 3) * f2 * f2 + 1
        return SIMD4(w0, w1, w2, 1 - w0 - w1 - w2)
    }
}
