/// Stage 1 of BM3D: hard thresholding of a group's 3-D spectrum.
enum HardThresholding {
    /// Zeroes the coefficients of `group` (its first `size` patches) whose
    /// orthonormal magnitude is below `threshold`, except the group's DC
    /// coefficient, divides the others by their squared Haar norm (readying
    /// the group for `inverseHaar`), and returns how many are left: the
    /// aggregation weight is inversely proportional to it (a sparser group is a
    /// more reliable estimate).
    @inline(__always)
    static func apply(_ group: PatchGroup, size: Int, threshold: Float) -> Int {
        let g = group.coefficients
        let dc = g[0]
        var kept = SIMD4<Int32>.zero
        for m in 0 ..< size {
            let norm2 = PatchGroup.norm2(member: m, size: size)
            let upper = SIMD4<Float>(repeating: threshold * norm2.squareRoot()), lower = -upper
            let scale = SIMD4<Float>(repeating: 1 / norm2)
            let p = g + m * 64
            for v4 in 0 ..< 16 {
                let i = 4 * v4
                let v = load4(p + i)
                let keep = (v .>= upper) .| (v .<= lower)
                store4((v * scale).replacing(with: 0, where: .!keep), p + i)
                kept &+= SIMD4<Int32>.zero.replacing(with: 1, where: keep)
            }
        }
        var count = Int(kept.wrappedSum())
        if g[0] == 0 && dc != 0 {
            g[0] = dc / Float(size)
            count += 1
        }
        return count
    }
}
