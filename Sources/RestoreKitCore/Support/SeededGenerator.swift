/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64)
/// whose every draw is defined bit for bit: the same seed gives the same numbers
/// on every run, machine and Swift version.
///
/// That is why it brings its own uniform, normal and Poisson samplers instead of
/// the standard library's `random(in:using:)` (whose algorithms may change between
/// releases) and uses only IEEE-754 basic operations (+ − × ÷ √, all exactly
/// rounded) plus a logarithm written with them, never libm (whose last bits may
/// differ between versions).
///
/// `stream` selects an independent sequence for the same seed, so work split
/// into pieces (rows of an image, say) draws the same numbers however many
/// threads run it: give each piece its own stream.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The second normal deviate of the last polar-method pair, not yet returned.
    private var spareNormal: Double?

    /// A generator for `seed` and, optionally, one of its independent `stream`s.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var state = seed ^ SeededGenerator.mix(stream &+ 0x632B_E59B_D9B4_E019)
        s0 = SeededGenerator.splitMix(&state)
        s1 = SeededGenerator.splitMix(&state)
        s2 = SeededGenerator.splitMix(&state)
        s3 = SeededGenerator.splitMix(&state)
        spareNormal = nil
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [`lower`, `upper`) (`upper` itself when the bounds are equal).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnit()
    }

    /// Uniform over the integers of `range`, without modulo bias.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        guard span != 0 else { return Int(bitPattern: UInt(next())) }
        // Rejection of the short last block keeps every value equally likely.
        let limit = UInt64.max - UInt64.max % span
        var bits = next()
        while bits >= limit { bits = next() }
        return range.lowerBound + Int(bits % span)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        nextUnit() < p
    }

    /// An index drawn with probability proportional to `weights` (not all zero).
    public mutating func choose(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        precondition(total > 0, "weights must not all be zero")
        let target = nextUnit() * total
        var sum = 0.0
        for (i, w) in weights.enumerated() {
            sum += w
            if target < sum { return i }
        }
        return weights.lastIndex(where: { $0 > 0 })!
    }

    /// A standard normal deviate (Marsaglia's polar method; each pair of accepted
    /// uniforms gives two deviates, the second kept for the next call).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * nextUnit() - 1, v = 2 * nextUnit() - 1
            let s = u * u + v * v
            guard s > 0, s < 1 else { continue }
            let factor = (-2 * portableLog(s) / s).squareRoot()
            spareNormal = v * factor
            return u * factor
        }
    }

    /// A Poisson deviate of the given `mean` (≥ 0): counting exponential
    /// inter-arrival times below 10, Hörmann's PTRS transformed rejection above
    /// (the method numpy uses), so large means cost a few draws, not `mean` of them.
    public mutating func nextPoisson(mean: Double) -> Int {
        precondition(mean >= 0 && mean.isFinite, "Poisson mean must be finite and non-negative")
        if mean < 10 {
            var k = 0, time = 0.0
            while true {
                time -= portableLog(1 - nextUnit())   // 1 − [0, 1) never reaches 0
                if time > mean { return k }
                k += 1
            }
        }
        let slam = mean.squareRoot(), logMean = portableLog(mean)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let logInvAlpha = portableLog(1.1239 + 1.1328 / (b - 3.4))
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUnit() - 0.5, v = nextUnit()
            let us = 0.5 - abs(u)
            guard us > 0 else { continue }     // u = −0.5 exactly: no finite candidate
            let candidate = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(candidate) }
            if candidate < 0 || (us < 0.013 && v > us) { continue }
            let k = Int(candidate)
            if v == 0 { return k }   // log 0 = −∞ always accepts
            let lhs = portableLog(v) + logInvAlpha - portableLog(a / (us * us) + b)
            if lhs <= -mean + Double(k) * logMean - logFactorial(k) { return k }
        }
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The natural logarithm of a positive normal `x` from IEEE-754 basic operations
/// only (exponent split, then the atanh series on [1/√2, √2]), so that it is the
/// same on every machine; accurate to about one unit in the last place.
func portableLog(_ x: Double) -> Double {
    precondition(x > 0 && x.isFinite, "portableLog needs a positive finite argument")
    // Split x = 2^e · m with m in [1, 2) from the bits (subnormals scaled up first).
    let (scaled, bias) = x < Double.leastNormalMagnitude ? (x * 0x1p54, 1023.0 + 54) : (x, 1023.0)
    let bits = scaled.bitPattern
    var exponent = Double((bits >> 52) & 0x7FF) - bias
    var m = Double(bitPattern: bits & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)
    if m > 1.4142135623730951 {
        m *= 0.5
        exponent += 1
    }
    // log m = 2 atanh f with f = (m − 1)/(m + 1), |f| ≤ 0.172: eleven terms of
    // f·(1 + f²/3 + f⁴/5 + …) reach double precision. Estrin's scheme (pairs, then
    // pairs of pairs) shortens the chain of dependent operations that Horner's
    // rule would make; the reciprocals fold at compile time.
    let f = (m - 1) / (m + 1)
    let f2 = f * f, f4 = f2 * f2, f8 = f4 * f4
    let p0 = 1 + f2 * (1.0 / 3), p1 = 1.0 / 5 + f2 * (1.0 / 7), p2 = 1.0 / 9 + f2 * (1.0 / 11)
    let p3 = 1.0 / 13 + f2 * (1.0 / 15), p4 = 1.0 / 17 + f2 * (1.0 / 19)
    let q0 = p0 + f4 * p1, q1 = p2 + f4 * p3, q2 = p4 + f4 * (1.0 / 21)
    let series = q0 + f8 * (q1 + f8 * q2)
    // ln 2 split in a short high part (exact in products with small integers) and the rest.
    let ln2High = 0.693_147_180_369_123_816_49, ln2Low = 1.908_214_929_270_587_7e-10
    return exponent * ln2High + (exponent * ln2Low + 2 * f * series)
}

/// log(k!) from a table below 10 and Stirling's series (error below 1e-10) above.
func logFactorial(_ k: Int) -> Double {
    let table: [Double] = [0, 0, 0.693_147_180_559_945_3, 1.791_759_469_228_055, 3.178_053_830_347_945_6,
                           4.787_491_742_782_046, 6.579_251_212_010_101, 8.525_161_361_065_415,
                           10.604_602_902_745_25, 12.801_827_480_081_469]
    if k < table.count { return table[k] }
    let n = Double(k), inv = 1 / n, inv2 = inv * inv
    let halfLog2Pi = 0.918_938_533_204_672_7
    return (n + 0.5) * portableLog(n) - n + halfLog2Pi
        + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 / 1260))
}
