/// The orthonormal 8-point DCT-II and its inverse, written as even/odd butterflies
/// on SIMD4 vectors: each lane carries an independent transform, so one call
/// transforms four columns (or rows) of a patch at once.
///
/// The Wiener stage's patch transform (see `PatchTransform`). Four lanes, not
/// eight: the build targets baseline x86-64 (SSE2, 16 vector registers), where
/// eight SIMD8 rows alone would fill the register file.
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
        let (s0, s1, s2, s3, d0, d1, d2, d3) = mirrorButterfly(x)
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
}

/// Eight rows (or columns) of four lanes: half of an 8 × 8 block.
typealias Block4 = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
                    SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

/// (s0, s1, s2, s3, d0, d1, d2, d3): the mirror sums sₖ = x[k] + x[7 − k] and
/// differences dₖ = x[k] − x[7 − k], k = 0…3, with which both 8-point forward
/// transforms (`DCT8`, `Bior15`) begin.
@inline(__always)
func mirrorButterfly(_ x: Block4) -> Block4 {
    (x.0 + x.7, x.1 + x.6, x.2 + x.5, x.3 + x.4, x.0 - x.7, x.1 - x.6, x.2 - x.5, x.3 - x.4)
}
