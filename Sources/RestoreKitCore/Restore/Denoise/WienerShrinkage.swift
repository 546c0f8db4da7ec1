/// Stage 2 of BM3D: empirical Wiener shrinkage of a group's 3-D spectrum, with
/// the stage-1 estimate of the same group as the pilot signal.
enum WienerShrinkage {
    /// Multiplies each coefficient of `noisy` by p²/(p² + σ²·norm²), p the
    /// pilot's coefficient and σ²·norm² the noise variance of that Haar
    /// coefficient, and divides it by norm² (readying the group for
    /// `inverseHaar`). Returns the sum of the squared factors: the aggregation
    /// weight is inversely proportional to it (the residual noise of the group).
    @inline(__always)
    static func apply(_ noisy: PatchGroup, pilot: PatchGroup, size: Int, noiseVariance: Float) -> Float {
        var energy = SIMD4<Float>.zero
        for m in 0 ..< size {
            let norm2 = PatchGroup.norm2(member: m, size: size)
            let variance = SIMD4<Float>(repeating: noiseVariance * norm2)
            let scale = SIMD4<Float>(repeating: 1 / norm2)
            let z = noisy.coefficients + m * 64, p = pilot.coefficients + m * 64
            for v4 in 0 ..< 16 {
                let i = 4 * v4
                let b = load4(p + i)
                let b2 = b * b
                let w = b2 / (b2 + variance)
                store4(load4(z + i) * (w * scale), z + i)
                energy += w * w
            }
        }
        return energy.sum()
    }
}
