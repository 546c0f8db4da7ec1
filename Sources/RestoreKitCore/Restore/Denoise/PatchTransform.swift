/// The separable 2-D transform of 8 × 8 patches: bior1.5 in the hard-thresholding
/// stage, the DCT in the Wiener stage, as in BM3D.
///
/// The horizontal pass is precomputed once per pixel position (`RowSpectra`);
/// the vertical pass runs on a patch's eight row spectra, whose lanes are the
/// horizontal frequencies. The pointer-based entry points are kept out of line:
/// inlined into the large filtering loop, LLVM interleaves the vector code with
/// needless shuffles and spills.
enum PatchTransform: Sendable {
    case bior15
    case dct

    /// The 1-D forward transform of each lane of `x`.
    @inline(__always)
    func forward(_ x: inout Block4) {
        switch self {
        case .bior15: Bior15.forward(&x)
        case .dct: DCT8.forward(&x)
        }
    }

    /// The 1-D inverse transform of each lane of `x`.
    @inline(__always)
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
    @inline(never)
    func forward(rows p: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        for half in Swift.stride(from: 0, to: 8, by: 4) {
            var b = Self.loadBlock(p + half, stride: stride)
            forward(&b)
            let o = out + half
            store4(b.0, o); store4(b.1, o + 8); store4(b.2, o + 16); store4(b.3, o + 24)
            store4(b.4, o + 32); store4(b.5, o + 40); store4(b.6, o + 48); store4(b.7, o + 56)
        }
    }

    /// The inverse vertical transform of the 2-D spectrum at `spectrum` (64
    /// floats), giving 8 row spectra; row v is multiplied by `factors[v]` and
    /// added to the 8 floats at `sums + v · stride`.
    @inline(never)
    func inverseAccumulate(_ spectrum: UnsafePointer<Float>, factors f: UnsafePointer<Float>,
                           into sums: UnsafeMutablePointer<Float>, stride: Int) {
        for half in Swift.stride(from: 0, to: 8, by: 4) {
            var b = Self.loadBlock(spectrum + half, stride: 8)
            inverse(&b)
            let s = sums + half
            store4(load4(s) + b.0 * f[0], s)
            store4(load4(s + stride) + b.1 * f[1], s + stride)
            store4(load4(s + 2 * stride) + b.2 * f[2], s + 2 * stride)
            store4(load4(s + 3 * stride) + b.3 * f[3], s + 3 * stride)
            store4(load4(s + 4 * stride) + b.4 * f[4], s + 4 * stride)
            store4(load4(s + 5 * stride) + b.5 * f[5], s + 5 * stride)
            store4(load4(s + 6 * stride) + b.6 * f[6], s + 6 * stride)
            store4(load4(s + 7 * stride) + b.7 * f[7], s + 7 * stride)
        }
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
