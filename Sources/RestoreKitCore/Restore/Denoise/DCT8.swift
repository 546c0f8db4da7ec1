#if canImport(Glibc)
import Glibc
#endif

/// The orthonormal 8-point DCT-II and its inverse, written as even/odd butterflies
/// on SIMD4 vectors: each lane carries an independent transform, so one call
/// transforms four columns (or rows) of a patch at once.
///
/// BM3D applies the 2-D patch transform separably: the horizontal pass is
/// precomputed once per pixel position (`RowSpectra`), the vertical pass runs on
/// the eight row spectra of a patch, whose lanes are the horizontal frequencies.
/// Four lanes, not eight: the build targets baseline x86-64 (SSE2, 16 vector
/// registers), where eight SIMD8 rows alone would fill the register file.
enum DCT8 {
    /// cos(kπ/16)/2 for k = 1…7; c4 is also the DC gain 1/√8.
    static let c1 = Float(0.5 * 0.98078528040323044913)
    static let c2 = Float(0.5 * 0.92387953251128675613)
    static let c3 = Float(0.5 * 0.83146961230254523708)
    static let c4 = Float(0.5 * 0.70710678118654752440)
    static let c5 = Float(0.5 * 0.55557023301960222474)
    static let c6 = Float(0.5 * 0.38268343236508977173)
    static let c7 = Float(0.5 * 0.19509032201612826785)

    /// The forward transform of `x` (8 inputs, in place: `x[k]` becomes frequency k).
    @inline(__always)
    static func forward(_ x: inout Block4) {
        let s0: SIMD4<Float> = x.0 + x.7, d0: SIMD4<Float> = x.0 - x.7
        let s1: SIMD4<Float> = x.1 + x.6, d1: SIMD4<Float> = x.1 - x.6
        let s2: SIMD4<Float> = x.2 + x.5, d2: SIMD4<Float> = x.2 - x.5
        let s3: SIMD4<Float> = x.3 + x.4, d3: SIMD4<Float> = x.3 - x.4
        let e0: SIMD4<Float> = s0 + s3, e1: SIMD4<Float> = s1 + s2
        let f0: SIMD4<Float> = s0 - s3, f1: SIMD4<Float> = s1 - s2
        x.0 = (e0 + e1) * c4
        x.4 = (e0 - e1) * c4
        x.2 = sum(f0 * c2, f1 * c6)
        x.6 = difference(f0 * c6, f1 * c2)
        x.1 = sum(sum(d0 * c1, d1 * c3), sum(d2 * c5, d3 * c7))
        x.3 = difference(difference(d0 * c3, d1 * c7), sum(d2 * c1, d3 * c5))
        x.5 = sum(difference(d0 * c5, d1 * c1), sum(d2 * c7, d3 * c3))
        x.7 = sum(difference(d0 * c7, d1 * c5), difference(d2 * c3, d3 * c1))
    }

    /// The inverse transform of `x` (8 frequencies, in place: `x[n]` becomes sample n).
    @inline(__always)
    static func inverse(_ x: inout Block4) {
        let p: SIMD4<Float> = (x.0 + x.4) * c4, q: SIMD4<Float> = (x.0 - x.4) * c4
        let r: SIMD4<Float> = sum(x.2 * c2, x.6 * c6), s: SIMD4<Float> = difference(x.2 * c6, x.6 * c2)
        let e0: SIMD4<Float> = p + r, e3: SIMD4<Float> = p - r
        let e1: SIMD4<Float> = q + s, e2: SIMD4<Float> = q - s
        let o0: SIMD4<Float> = sum(sum(x.1 * c1, x.3 * c3), sum(x.5 * c5, x.7 * c7))
        let o1: SIMD4<Float> = difference(difference(x.1 * c3, x.3 * c7), sum(x.5 * c1, x.7 * c5))
        let o2: SIMD4<Float> = sum(difference(x.1 * c5, x.3 * c1), sum(x.5 * c7, x.7 * c3))
        let o3: SIMD4<Float> = sum(difference(x.1 * c7, x.3 * c5), difference(x.5 * c3, x.7 * c1))
        x.0 = e0 + o0; x.7 = e0 - o0
        x.1 = e1 + o1; x.6 = e1 - o1
        x.2 = e2 + o2; x.5 = e2 - o2
        x.3 = e3 + o3; x.4 = e3 - o3
    }

    /// a + b and a − b, spelled as functions so the type checker sees one overload.
    @inline(__always)
    private static func sum(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a + b }
    @inline(__always)
    private static func difference(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a - b }

    /// Eight vectors `stride` floats apart, from `p`.
    @inline(__always)
    static func loadBlock(_ p: UnsafePointer<Float>, stride: Int) -> Block4 {
        (load4(p), load4(p + stride), load4(p + 2 * stride), load4(p + 3 * stride),
         load4(p + 4 * stride), load4(p + 5 * stride), load4(p + 6 * stride), load4(p + 7 * stride))
    }

    /// The 2-D spectrum of a patch from its 8 row spectra, `stride` floats apart
    /// from `rows`: the vertical transform, written to the 64 floats at `out`
    /// (vertical frequency major).
    ///
    /// Kept out of line: inlined into the large filtering loop, LLVM interleaves
    /// it with needless shuffles and spills.
    @inline(never)
    static func forward(rows p: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        for half in Swift.stride(from: 0, to: 8, by: 4) {
            var b = loadBlock(p + half, stride: stride)
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
    static func inverseAccumulate(_ spectrum: UnsafePointer<Float>, factors f: UnsafePointer<Float>,
                                  into sums: UnsafeMutablePointer<Float>, stride: Int) {
        for half in Swift.stride(from: 0, to: 8, by: 4) {
            var b = loadBlock(spectrum + half, stride: 8)
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
    /// frequency k contributes, each multiplied by `window[n]` (the aggregation
    /// window folded in, so a spectrum becomes windowed pixels in one pass).
    static func inverseColumns(window: [Float]) -> [SIMD8<Float>] {
        (0 ..< 8).map { k in
            var column = SIMD8<Float>()
            for n in 0 ..< 8 {
                let scale = k == 0 ? (1.0 / 8).squareRoot() : 0.5
                column[n] = Float(scale * cos(Double((2 * n + 1) * k) * Double.pi / 16)) * window[n]
            }
            return column
        }
    }
}

/// Eight rows (or columns) of four lanes: half of an 8 × 8 block.
typealias Block4 = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
                    SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
