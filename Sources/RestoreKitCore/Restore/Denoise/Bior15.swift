/// The 8-point biorthogonal 1.5 wavelet transform BM3D's hard-thresholding
/// stage uses for patches (Dabov et al. 2007): three levels of the bior1.5
/// analysis filters with periodic extension, each basis row scaled to unit norm
/// (so white noise of σ has σ in every coefficient), and its exact inverse.
/// Haar-like short supports keep edges sharp where the DCT would ring (it
/// beats the DCT in stage 1; see bench/NOTES.md).
///
/// The matrices are sparse; written out, each direction costs about as much as
/// the DCT's butterflies. Lanes carry independent transforms, as in `DCT8`.
enum Bior15 {
    /// Basis row entries (rows 1–3 of the normalised analysis matrix; row 0 is
    /// the mean, rows 4–7 are Haar differences of neighbouring samples).
    static let a1 = Float(0.2194176492525008), b1 = Float(0.44928375799321585)
    static let p = Float(0.5693593983428461), q = Float(0.402347308162278), r = Float(0.08350604509028409)
    static let dc = Float(0.35355339059327373), haar = Float(0.7071067811865476)
    static let halfHaar = Float(0.3535533905932738)
    /// Rows 2 and 3 in terms of mirror sums s and differences d.
    static let ka = (p + r) / 2, kb = (q - r) / 2, kc = (p - r) / 2, kd = (q + r) / 2
    /// Synthesis entries: the inverse's columns 1–3 (mean-like) and the
    /// bior1.5 reconstruction filter's side taps (columns 4–7).
    static let u1 = Float(0.3738589410626687), u2 = Float(0.5145585562523474)
    static let side = Float(0.12153397801643782)

    /// The forward transform of `x` (8 samples, in place: `x[k]` becomes coefficient k).
    @inline(__always)
    static func forward(_ x: inout Block4) {
        // Mirror sums and differences first, as in the DCT: row 2 becomes
        // u + v and row 3 v − u, rows 4–7 pair up the same way. The chained
        // products (not a sum of two products) keep LLVM's SLP vectoriser from
        // fusing them into shuffle-laden 8-lane code.
        let (s0, s1, s2, s3, d0, d1, d2, d3) = mirrorButterfly(x)
        let u: SIMD4<Float> = ((s1 - s2) * (kb / ka) + (s0 - s3)) * ka
        let v: SIMD4<Float> = ((d1 - d2) * (kd / kc) + (d0 - d3)) * kc
        let g01: SIMD4<Float> = (s0 - s1) * halfHaar, e01: SIMD4<Float> = (d0 - d1) * halfHaar
        let g23: SIMD4<Float> = (s2 - s3) * halfHaar, e23: SIMD4<Float> = (d2 - d3) * halfHaar
        x.0 = ((s0 + s1) + (s2 + s3)) * dc
        x.1 = ((d0 + d3) + (d1 + d2) * (b1 / a1)) * a1
        x.2 = u + v
        x.3 = v - u
        x.4 = g01 + e01
        x.7 = e01 - g01
        x.5 = g23 + e23
        x.6 = e23 - g23
    }

    /// The inverse transform of `x` (8 coefficients, in place: `x[n]` becomes sample n).
    @inline(__always)
    static func inverse(_ x: inout Block4) {
        let t0: SIMD4<Float> = x.0 * dc, t1: SIMD4<Float> = x.1 * u1
        let e: SIMD4<Float> = t0 + t1, f: SIMD4<Float> = t0 - t1
        let m2: SIMD4<Float> = x.2 * u2, m3: SIMD4<Float> = x.3 * u2
        let q4: SIMD4<Float> = x.4 * side, q5: SIMD4<Float> = x.5 * side
        let q6: SIMD4<Float> = x.6 * side, q7: SIMD4<Float> = x.7 * side
        let h4: SIMD4<Float> = x.4 * haar, h5: SIMD4<Float> = x.5 * haar
        let h6: SIMD4<Float> = x.6 * haar, h7: SIMD4<Float> = x.7 * haar
        let c01: SIMD4<Float> = (e + m2) + (q7 - q5)
        let c23: SIMD4<Float> = (e - m2) + (q4 - q6)
        let c45: SIMD4<Float> = (f + m3) + (q5 - q7)
        let c67: SIMD4<Float> = (f - m3) + (q6 - q4)
        x.0 = c01 + h4; x.1 = c01 - h4
        x.2 = c23 + h5; x.3 = c23 - h5
        x.4 = c45 + h6; x.5 = c45 - h6
        x.6 = c67 + h7; x.7 = c67 - h7
    }
}
