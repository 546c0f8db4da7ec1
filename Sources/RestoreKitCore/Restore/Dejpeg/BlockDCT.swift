#if canImport(Glibc)
import Glibc
#endif

/// JPEG's 8×8 two-dimensional DCT-II in its orthonormal float form, the scale
/// on which a coefficient divided by its quantisation step gives the level
/// libjpeg stores (after the usual level shift by 128).
///
/// This is the exact transform of the standard, not libjpeg's default integer
/// "islow" approximation. The deblocker works on float samples and must invert
/// the transform after clamping coefficients, which the integer path (rounding
/// after each pass, outputs scaled by 8) cannot do; islow differs from the
/// exact DCT by well under one unit per coefficient, far below the steps of the
/// qualities where deblocking matters, so both quantise the same samples to
/// the same levels except for values within that distance of a step boundary.
enum BlockDCT {
    /// `basis[u * 8 + k]` = c(u) cos((2k + 1) u π / 16), c(0) = √(1/8), else ½:
    /// row u holds the u-th basis vector, so coefficient u of a length-8 signal
    /// s is Σₖ basis[u·8 + k] s[k], and sample k is Σᵤ basis[u·8 + k] F[u].
    static let basis: [Float] = (0 ..< 64).map { index in
        let u = index / 8, k = index % 8
        let scale = u == 0 ? (1.0 / 8).squareRoot() : 0.5
        return Float(scale * cos(Double((2 * k + 1) * u) * Double.pi / 16))
    }

    /// Replaces the 64 samples at `block` (row-major) by their coefficients
    /// (row u = vertical frequency, column v = horizontal).
    static func forward(_ block: UnsafeMutablePointer<Float>) {
        transform(block, inverse: false)
    }

    /// Replaces the 64 coefficients at `block` by the samples they describe.
    static func inverse(_ block: UnsafeMutablePointer<Float>) {
        transform(block, inverse: true)
    }

    /// Both passes of the separable transform: rows, then columns.
    private static func transform(_ block: UnsafeMutablePointer<Float>, inverse: Bool) {
        basis.withUnsafeBufferPointer { c in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { t in
                // Pass 1: along each row, written transposed into t.
                transformRows(block, into: t.baseAddress!, basis: c, inverse: inverse)
                // Pass 2: along each column (a row of t), written back transposed.
                transformRows(t.baseAddress!, into: block, basis: c, inverse: inverse)
            }
        }
    }

    /// The 1-D transform of each row of `src` (8 × 8), written transposed
    /// into `dst`: row `line` of `src` becomes column `line` of `dst`.
    @inline(__always)
    private static func transformRows(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                                      basis c: UnsafeBufferPointer<Float>, inverse: Bool) {
        for line in 0 ..< 8 {
            for out in 0 ..< 8 {
                var sum: Float = 0
                for k in 0 ..< 8 {
                    sum += (inverse ? c[k * 8 + out] : c[out * 8 + k]) * src[line * 8 + k]
                }
                dst[out * 8 + line] = sum
            }
        }
    }
}
