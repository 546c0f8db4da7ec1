#if canImport(Glibc)
import Glibc
#endif

/// The chi-square distribution with many degrees of freedom, through the
/// Wilson–Hilferty cube-root normal approximation (relative error well under
/// 1 % from 30 degrees up, which is where the noise estimators use it: the
/// energy of one block's 61 to 183 high-frequency coefficients).
enum ChiSquare {
    /// Φ⁻¹(0.99): the selection of noise-only blocks keeps the 99 % of pure
    /// noise blocks whose energy is below this many standard deviations.
    static let z99 = 2.3263478740408408

    /// P(X ≤ x) for X ~ χ²(`degrees`).
    static func cdf(_ x: Double, degrees m: Double) -> Double {
        guard x > 0 else { return 0 }
        let v = 2 / (9 * m)
        let z = (cbrt(x / m) - (1 - v)) / v.squareRoot()
        return 0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// The value below which a χ²(`degrees`) variable falls with the
    /// probability whose normal quantile is `z`.
    static func quantile(z: Double, degrees m: Double) -> Double {
        let v = 2 / (9 * m)
        let c = 1 - v + z * v.squareRoot()
        return m * c * c * c
    }

    /// E[X | X ≤ t] / m for X ~ χ²(m) cut at its `z` quantile: the factor by
    /// which the mean energy of blocks kept by that cut underestimates the
    /// noise variance (E[X·1{X ≤ t}] = m·F_{m+2}(t)).
    static func truncatedMeanFactor(z: Double, degrees m: Double) -> Double {
        let t = quantile(z: z, degrees: m)
        return cdf(t, degrees: m + 2) / cdf(t, degrees: m)
    }
}
