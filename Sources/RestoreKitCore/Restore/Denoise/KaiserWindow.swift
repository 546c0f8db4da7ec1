/// The Kaiser window BM3D multiplies every filtered patch with before
/// aggregation: it lowers the weight of patch borders, where blocking artefacts
/// of the 2-D transform would otherwise show (Dabov et al. 2007, β = 2 for 8 × 8).
enum KaiserWindow {
    /// The `length` window coefficients for shape parameter `beta`.
    static func coefficients(length: Int, beta: Double) -> [Float] {
        let last = Double(length - 1)
        return (0 ..< length).map { n in
            let t = last > 0 ? 2 * Double(n) / last - 1 : 0
            return Float(besselI0(beta * (1 - t * t).squareRoot()) / besselI0(beta))
        }
    }

    /// The modified Bessel function of the first kind, order 0, by its power
    /// series (converges fast for the small arguments used here).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let quarter = x * x / 4
        while term > sum * 1e-17 {
            term *= quarter / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
