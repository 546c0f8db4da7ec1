/// The Box–Muller transform of torch's CPU normal kernel on x86-64 with AVX2, on one
/// block of 16 float32 uniforms, bit for bit.
///
/// torch fills a float32 tensor with uniforms and transforms each block of 16 in
/// place: with u1 = 1 − x[j] and u2 = x[j + 8] for j < 8, radius = √(−2 ln u1) and
/// θ = 2π·u2, x[j] becomes radius·cos θ and x[j + 8] radius·sin θ. Its AVX2 kernel
/// (the one x86-64 machines run; AVX-512 machines fall back to it for this kernel)
/// computes ln, sin and cos with float32 Cephes-style polynomial approximations, not
/// libm, and its compiler fuses the approximations' multiply–adds: both are mirrored
/// here so the deviates match to the last bit. (Builds without AVX2, such as torch on
/// aarch64, use libm and may differ in the last bit or two.)
enum TorchBoxMuller {
    static let twoPi = Float(2 * Double.pi)

    /// Transforms the 16 uniforms at `block` into normal deviates.
    static func transform(_ block: UnsafeMutablePointer<Float>) {
        for j in 0 ..< 8 {
            let u1 = 1 - block[j]
            let u2 = block[j + 8]
            let radius = (-2 * logarithm(u1)).squareRoot()
            let (sine, cosine) = sineCosine(twoPi * u2)
            block[j] = radius * cosine
            block[j + 8] = radius * sine
        }
    }

    /// The natural logarithm of a positive normal float, to about one ulp: the
    /// exponent is split off, the mantissa folded into [√½, √2), and ln(1 + x)
    /// approximated by a degree-9 polynomial. Non-positive arguments give NaN.
    static func logarithm(_ value: Float) -> Float {
        guard value > 0 else { return .nan }
        let bits = max(value, .leastNormalMagnitude).bitPattern
        var exponent = Float(Int32(bits >> 23) - 0x7F) + 1
        var x = Float(bitPattern: (bits & ~0x7F80_0000) | Float(0.5).bitPattern)
        if x < Float(0.707106781186547524) {
            exponent -= 1
            x = (x - 1) + x
        } else {
            x = x - 1
        }
        let z = x * x
        var y: Float = 7.0376836292e-2
        for c: Float in [-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
                         -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1] {
            y = c.addingProduct(y, x)
        }
        y = y * x
        y = (exponent * Float(-2.12194440e-4)).addingProduct(y, z)
        y = y - z * 0.5
        return (x + y).addingProduct(exponent, Float(0.693359375))
    }

    /// Sine and cosine of a float by reduction to [−π/4, π/4] in three parts of π/4
    /// and two polynomials, accurate for |θ| < 8192 (here θ is in [0, 2π)).
    static func sineCosine(_ angle: Float) -> (sine: Float, cosine: Float) {
        var x = abs(angle)
        var sineSign = angle.sign == .minus
        var octant = Int32(x * Float(1.27323954473516))
        octant = (octant + 1) & ~1
        let y = Float(octant)
        if octant & 4 != 0 { sineSign.toggle() }
        // Octants 0 mod 4 take the sine polynomial for the sine; the others swap.
        let direct = octant & 2 == 0
        let cosineNegative = (octant - 2) & 4 == 0
        x = x.addingProduct(y, Float(-0.78515625))
        x = x.addingProduct(y, Float(-2.4187564849853515625e-4))
        x = x.addingProduct(y, Float(-3.77489497744594108e-8))
        let z = x * x
        // cos on [−π/4, π/4]
        var c = Float(-1.388731625493765e-3).addingProduct(Float(2.443315711809948e-5), z)
        c = Float(4.166664568298827e-2).addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z)
        c = c + 1
        // sin on [−π/4, π/4]
        var s = Float(8.3321608736e-3).addingProduct(Float(-1.9515295891e-4), z)
        s = Float(-1.6666654611e-1).addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)
        // The kernel selects with masks and adds the other side's zero (turning −0 into +0).
        let sine = (direct ? 0 : c) + (direct ? s : 0)
        let cosine = (direct ? c : 0) + (direct ? 0 : s)
        return (sineSign ? -sine : sine, cosineNegative ? -cosine : cosine)
    }
}
