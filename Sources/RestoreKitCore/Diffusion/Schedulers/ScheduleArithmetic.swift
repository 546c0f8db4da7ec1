#if canImport(Glibc)
import Glibc
#endif

/// The array arithmetic diffusers' schedules are built with, reproduced operation by
/// operation (NumPy's `linspace`, `arange`, `interp` and float32 `log`, torch's float32
/// `linspace`, Karras et al.'s σ ramp and diffusers' σ → t inversion), so timesteps
/// and σ come out with diffusers' bits rather than merely close to them.
enum ScheduleArithmetic {
    /// `torch.linspace(start, end, count, dtype=float32)` on the CPU: the first half
    /// counts up from `start`, the second down from `end`, each value one fused
    /// multiply–add in float32.
    static func torchLinspace(_ start: Float, _ end: Float, _ count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0 ..< count).map { i in
            i < halfway ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(count - 1 - i))
        }
    }

    /// `np.linspace(start, stop, count, endpoint=endpoint)` in float64.
    static func linspace(_ start: Double, _ stop: Double, _ count: Int, endpoint: Bool = true) -> [Double] {
        guard count > 0 else { return [] }
        let divisions = endpoint ? count - 1 : count
        let step = divisions > 0 ? (stop - start) / Double(divisions) : .nan
        var values = (0 ..< count).map { Double($0) * (divisions > 0 ? step : stop - start) + start }
        if endpoint && count > 1 { values[count - 1] = stop }
        return values
    }

    /// `np.arange(start, stop, step)` in float64: ⌈(stop − start)/step⌉ values, the
    /// second one `start + step` and the rest `start + i·((start + step) − start)`.
    static func arange(_ start: Double, _ stop: Double, _ step: Double) -> [Double] {
        let length = Int(max(0, ((stop - start) / step).rounded(.up)))
        guard length > 0 else { return [] }
        let next = start + step
        let delta = next - start
        return (0 ..< length).map { i in i == 0 ? start : i == 1 ? next : start + Double(i) * delta }
    }

    /// `np.round`: halves go to the even neighbour.
    static func round(_ value: Double) -> Double { value.rounded(.toNearestOrEven) }

    /// `np.interp(x, arange(len(table)), table)` at one point, in float64.
    static func interpolate(_ x: Double, _ table: [Float]) -> Double {
        let last = table.count - 1
        if x >= Double(last) { return Double(table[last]) }
        if x <= 0 { return Double(table[0]) }
        let j = Int(x.rounded(.down))
        if Double(j) == x { return Double(table[j]) }
        // The training steps are one apart, so the slope is the difference.
        let slope = Double(table[j + 1]) - Double(table[j])
        return slope * (x - Double(j)) + Double(table[j])
    }

    /// σ spaced as in Karras et al. (2022) with ρ = 7: uniform in σ^(1/ρ) from
    /// `maximum` down to `minimum`, `count` values, in float64.
    static func karrasSigmas(minimum: Double, maximum: Double, count: Int) -> [Double] {
        let rho = 7.0
        let minInverse = pow(minimum, 1 / rho), maxInverse = pow(maximum, 1 / rho)
        let span = minInverse - maxInverse
        return linspace(0, 1, count).map { pow(maxInverse + $0 * span, rho) }
    }

    /// The fractional training timestep whose σ is `sigma`: diffusers' `_sigma_to_t`,
    /// linear interpolation in log σ between the two neighbouring training steps
    /// (`logSigmas`: ln σₜ of every training step, as `numpyLog` gives it).
    static func sigmaToTimestep(_ sigma: Double, logSigmas: [Float]) -> Double {
        let logSigma = log(max(sigma, 1e-10))
        var low = 0
        for (i, value) in logSigmas.enumerated() where logSigma - Double(value) >= 0 { low = i }
        low = min(low, logSigmas.count - 2)
        let lowLog = logSigmas[low], highLog = logSigmas[low + 1]
        let weight = min(max((Double(lowLog) - logSigma) / Double(lowLog - highLog), 0), 1)
        return (1 - weight) * Double(low) + weight * Double(low + 1)
    }

    /// NumPy's float32 `log` on x86-64 (its AVX2/AVX-512 kernel): the mantissa folded
    /// into (√½, √2] and ln(1 + x) as a ratio of two quintic polynomials, fused
    /// multiply–adds throughout. For positive normal floats (σ here).
    static func numpyLog(_ value: Float) -> Float {
        let bits = value.bitPattern
        var exponent = Float(Int32(bitPattern: bits >> 23) - 126)
        var x = Float(bitPattern: (bits & 0x7F_FFFF) | (126 << 23))
        if x <= Float(0.707106781186547524) {
            x = x + x
            exponent = exponent - 1
        }
        x = x - 1
        var numerator = Float(3.808837741388407920751e-01).addingProduct(Float(2.589979117907922693523e-02), x)
        var denominator = Float(1.546476374983906719538e-01).addingProduct(Float(5.875095403124574342950e-03), x)
        for (p, q) in [(Float(1.480000633576506585156e+00), Float(9.864942958519418960339e-01)),
                       (Float(2.112677543073053063722e+00), Float(2.453006071784736363091e+00)),
                       (Float(9.999999999999998702752e-01), Float(2.612677543073109236779e+00)),
                       (Float(0), Float(1))] {
            numerator = p.addingProduct(numerator, x)
            denominator = q.addingProduct(denominator, x)
        }
        return (numerator / denominator).addingProduct(exponent, Float(0.693147180559945309417))
    }
}
