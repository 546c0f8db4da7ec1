/// The separable 2-D transform of 8 × 8 patches: bior1.5 in the hard-thresholding
/// stage, the DCT in the Wiener stage, as in BM3D.
///
/// The horizontal pass is precomputed once per pixel position (`RowSpectra`);
/// the vertical pass runs on a patch's eight row spectra, whose lanes are the
/// horizontal frequencies. The per-patch entry points are kept out of line:
/// inlined into the large filtering loop, LLVM interleaves the vector code with
/// needless shuffles and spills.
enum PatchTransform: Sendable {
    case bior15
    case dct

    /// The 1-D inverse transform of each lane of `x`.
    func inverse(_ x: inout Block4) {
        switch self {
        case .bior15: Bior15.inverse(&x)
        case .dct: DCT8.inverse(&x)
        }
    }

    /// Eight vectors `stride` floats apart, from `p`.
    @inline(__always)
    static func loadBlock(_ p: UnsafePointer<Float>, stride: Int) -> Block4 {
        (load4(p), load4(p + stride), load4(p + 2 * stride), load4(p + 3 * stride),
         load4(p + 4 * stride), load4(p + 5 * stride), load4(p + 6 * stride), load4(p + 7 * stride))
    }

    /// The 2-D spectrum of a patch from its 8 row spectra, `stride` floats apart
    /// from `rows`: the vertical transform, written to the 64 floats at `out`
    /// (vertical frequency major).
    @inline(__always)
    func forward(rows p: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        switch self {
        case .bior15: Self.forward(Bior15.self, rows: p, stride: stride, into: out)
        case .dct: Self.forward(DCT8.self, rows: p, stride: stride, into: out)
        }
    }

    /// The inverse vertical transform of the 2-D spectrum at `spectrum` (64
    /// floats), giving 8 row spectra; row v is multiplied by `factors[v]` and
    /// added to the 8 floats at `sums + v · stride`.
    @inline(__always)
    func inverseAccumulate(_ spectrum: UnsafePointer<Float>, factors: UnsafePointer<Float>,
                           into sums: UnsafeMutablePointer<Float>, stride: Int) {
        switch self {
        case .bior15: Self.inverseAccumulate(Bior15.self, spectrum, factors: factors, into: sums, stride: stride)
        case .dct: Self.inverseAccumulate(DCT8.self, spectrum, factors: factors, into: sums, stride: stride)
        }
    }

    // One specialised copy per kernel: with both kernels behind a switch in
    // one function, LLVM merges them into shuffle-laden code.

    @inline(__always)
    private static func forward<K: TransformKernel>(_ kernel: K.Type, rows p: UnsafePointer<Float>, stride: Int,
                                                    into out: UnsafeMutablePointer<Float>) {
        forwardHalf(kernel, rows: p, stride: stride, into: out)
        forwardHalf(kernel, rows: p + 4, stride: stride, into: out + 4)
    }

    @inline(__always)
    private static func inverseAccumulate<K: TransformKernel>(_ kernel: K.Type, _ spectrum: UnsafePointer<Float>,
                                                              factors f: UnsafePointer<Float>,
                                                              into sums: UnsafeMutablePointer<Float>, stride: Int) {
        inverseAccumulateHalf(kernel, spectrum, factors: f, into: sums, stride: stride)
        inverseAccumulateHalf(kernel, spectrum + 4, factors: f, into: sums + 4, stride: stride)
    }

    // Each half in its own call: when both halves sit in one function, LLVM's
    // SLP vectoriser fuses them into 8-lane operations that SSE2 can only
    // express with interleaving shuffles.

    @inline(never)
    private static func forwardHalf<K: TransformKernel>(_: K.Type, rows p: UnsafePointer<Float>, stride: Int,
                                                        into o: UnsafeMutablePointer<Float>) {
        var b = loadBlock(p, stride: stride)
        K.forward(&b)
        store4(b.0, o); store4(b.1, o + 8); store4(b.2, o + 16); store4(b.3, o + 24)
        store4(b.4, o + 32); store4(b.5, o + 40); store4(b.6, o + 48); store4(b.7, o + 56)
    }

    @inline(never)
    private static func inverseAccumulateHalf<K: TransformKernel>(_: K.Type, _ spectrum: UnsafePointer<Float>,
                                                                  factors f: UnsafePointer<Float>,
                                                                  into s: UnsafeMutablePointer<Float>, stride: Int) {
        var b = loadBlock(spectrum, stride: 8)
        K.inverse(&b)
        store4(load4(s) + b.0 * f[0], s)
        store4(load4(s + stride) + b.1 * f[1], s + stride)
        store4(load4(s + 2 * stride) + b.2 * f[2], s + 2 * stride)
        store4(load4(s + 3 * stride) + b.3 * f[3], s + 3 * stride)
        store4(load4(s + 4 * stride) + b.4 * f[4], s + 4 * stride)
        store4(load4(s + 5 * stride) + b.5 * f[5], s + 5 * stride)
        store4(load4(s + 6 * stride) + b.6 * f[6], s + 6 * stride)
        store4(load4(s + 7 * stride) + b.7 * f[7], s + 7 * stride)
    }

    /// The inverse transform as a matrix: column k holds the 8 samples that
    /// coefficient k contributes, each multiplied by `window[n]` (the aggregation
    /// window folded in, so a spectrum becomes windowed pixels in one pass).
    func inverseColumns(window: [Float]) -> [SIMD8<Float>] {
        (0 ..< 8).map { k in
            // The inverse of unit coefficient k, in lane 0.
            var unit = [SIMD4<Float>](repeating: .zero, count: 8)
            unit[k][0] = 1
            var b: Block4 = (unit[0], unit[1], unit[2], unit[3], unit[4], unit[5], unit[6], unit[7])
            inverse(&b)
            let samples = [b.0[0], b.1[0], b.2[0], b.3[0], b.4[0], b.5[0], b.6[0], b.7[0]]
            return SIMD8((0 ..< 8).map { samples[$0] * window[$0] })
        }
    }
}

/// A 1-D 8-point transform applied lane-wise to a `Block4`.
protocol TransformKernel {
    static func forward(_ x: inout Block4)
    static func inverse(_ x: inout Block4)
}

extension DCT8: TransformKernel {}
extension Bior15: TransformKernel {}
