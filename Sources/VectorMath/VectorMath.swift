/// Element-wise functions on SIMD8 vectors of float32, free of branches and
/// library calls so they run eight lanes at a time: for softmax and the
/// activations of diffusion models, whose libm `expf` and `erff` calls otherwise
/// take a tenth of a UNet's time.
///
/// Everything here is inlined into its callers and compiled with their
/// settings: the engine's baseline code and `AVX2Kernels` share one source.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    /// eˣ, within 2 ulp of the exact value for x in about −87…88; 0 below (as
    /// expf underflows), +∞ above, NaN for NaN.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // Comparisons and selects: the standard library's pointwiseMin/Max are not inlined.
        let clamped = x.replacing(with: -87.5, where: x .< -87.5).replacing(with: 88.5, where: x .> 88.5)
        // x = n · ln 2 + r, |r| ≤ ln 2 / 2, with ln 2 split in two for precision.
        // Adding 1.5 · 2²³ rounds to an integer, held in the low mantissa bits.
        let shifted = clamped * 1.44269504088896341 + 12_582_912
        let n = shifted - 12_582_912
        let k = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let r = (clamped - n * 0.693359375) - n * -2.12194440e-4
        // e^r by its Taylor polynomial (Cephes' coefficients).
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        // · 2ⁿ, in two halves so n = 128 (x near 88.5) stays finite where it should.
        let half = k &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((k &- half &+ 127) &<< 23, to: Vector.self)
        var result = er * scaleA * scaleB
        result.replace(with: 0, where: x .< -87.5)
        result.replace(with: .infinity, where: x .> 88.5)
        return result
    }

    /// 2ˣ for x ≤ 0 (NaN: NaN), within 3 · 10⁻⁷ relative for x ≥ −126; below,
    /// 2⁻¹²⁶. Fewer operations than `exp`, for softmax, whose arguments are
    /// never positive and whose sum makes values below 2⁻¹²⁶ irrelevant.
    @inlinable @inline(__always)
    public static func exp2NonPositive(_ x: Vector) -> Vector {
        let clamped = x.replacing(with: -126, where: x .< -126)
        // x = n + f, n an integer, |f| ≤ ½ (rounding by adding 1.5 · 2²³).
        let shifted = clamped + 12_582_912
        let f = clamped - (shifted - 12_582_912)
        let n = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        // 2^f = e^(f ln 2) by its Taylor polynomial to degree 6.
        var p = Vector(repeating: 1.5403530393381606e-4)
        p = p * f + 1.3333558146428443e-3
        p = p * f + 9.6181291076284772e-3
        p = p * f + 5.5504108664821580e-2
        p = p * f + 2.4022650695910071e-1
        p = p * f + 6.9314718055994531e-1
        p = p * f + 1
        return p * unsafeBitCast((n &+ 127) &<< 23, to: Vector.self)
    }

    /// erf(x) within 5 · 10⁻⁷ (Abramowitz & Stegun 7.1.26, 1.5 · 10⁻⁷, plus float32
    /// rounding), odd by construction.
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * a)
        var p = Vector(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        var result = 1 - p * t * exp(-a * a)
        result.replace(with: -result, where: x .< 0)
        return result
    }

    /// x · sigmoid(x) (SiLU).
    @inlinable @inline(__always)
    public static func silu(_ x: Vector) -> Vector { x / (1 + exp(-x)) }

    /// x · Φ(x) with the exact normal CDF (PyTorch's GELU).
    @inlinable @inline(__always)
    public static func gelu(_ x: Vector) -> Vector { 0.5 * x * (1 + erf(x * 0.70710678118654752)) }

    /// x · sigmoid(1.702 x) (CLIP's quick GELU).
    @inlinable @inline(__always)
    public static func quickGELU(_ x: Vector) -> Vector { x / (1 + exp(-1.702 * x)) }

    /// Replaces the `count` values at `p` by `body` of them, eight at a time; the
    /// last few go through `body` in a vector padded with `padding`.
    @inlinable @inline(__always)
    public static func transform(_ p: UnsafeMutablePointer<Float>, count: Int, padding: Float = 0,
                          _ body: (Vector) -> Vector) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 8 <= count {
            raw.storeBytes(of: body(raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)),
                           toByteOffset: i * 4, as: Vector.self)
            i += 8
        }
        guard i < count else { return }
        var last = Vector(repeating: padding)
        for j in i ..< count { last[j - i] = p[j] }
        last = body(last)
        for j in i ..< count { p[j] = last[j - i] }
    }
}
