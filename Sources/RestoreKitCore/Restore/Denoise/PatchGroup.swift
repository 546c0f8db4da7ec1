/// The 3-D spectrum of one group of patches in one channel: `size` patches of
/// 64 2-D transform coefficients (row-major: vertical frequency, then
/// horizontal), transformed along the group by an unnormalised Haar transform.
/// The 2-D bases have unit-norm rows and the Haar basis is orthogonal, so white
/// noise of σ has σ·√norm² in a 3-D coefficient.
final class PatchGroup {
    let coefficients: UnsafeMutablePointer<Float>

    /// Room for groups of up to `capacity` patches.
    init(capacity: Int) {
        coefficients = .allocate(capacity: capacity * 64)
    }

    deinit { coefficients.deallocate() }

    /// Loads the 2-D spectra of the patches at (`xs[m]`, `ys[m]`), m < `size`,
    /// from `spectra`, the `transform` row spectra (see `RowSpectra`) of rows
    /// starting at `top`.
    @inline(__always)
    func gather(spectra: UnsafePointer<Float>, positions: Int, top: Int, transform: PatchTransform,
                xs: UnsafePointer<Int32>, ys: UnsafePointer<Int32>, size: Int) {
        let stride = positions * 8
        for m in 0 ..< size {
            let p = spectra + ((Int(ys[m]) - top) * positions + Int(xs[m])) * 8
            transform.forward(rows: p, stride: stride, into: coefficients + m * 64)
        }
    }

    /// The Haar transform along the group (`size` a power of two), fully
    /// decomposed and unnormalised: sums and differences of neighbouring
    /// patches, then of neighbouring sums, and so on. Member 0 becomes the sum
    /// of all patches; member i > 0 a difference at scale h = i & −i. Both are
    /// orthogonal with squared norm `norm2(member:size:)`, which the filters
    /// divide out. Costs size − 1 butterflies of adds and subtracts only.
    @inline(__always)
    func haar(size: Int) {
        guard size >= 8 else { return levels(size: size, from: 1, to: size / 2, step: 2) }
        levelsInRegisters(size: size, inverse: false)
        levels(size: size, from: 8, to: size / 2, step: 2)
    }

    /// The inverse of `haar(size:)` once every member has been divided by its
    /// squared norm: the same butterflies, coarsest scale first.
    @inline(__always)
    func inverseHaar(size: Int) {
        guard size >= 8 else { return levels(size: size, from: size / 2, to: 1, step: 0) }
        levels(size: size, from: size / 2, to: 8, step: 0)
        levelsInRegisters(size: size, inverse: true)
    }

    /// Scales 1, 2 and 4 within each run of 8 patches, in registers: finest
    /// first, or coarsest first for the `inverse`.
    @inline(__always)
    private func levelsInRegisters(size: Int, inverse: Bool) {
        for run in 0 ..< size / 8 {
            let g = coefficients + run * 512
            for column in 0 ..< 16 {
                let p = g + 4 * column
                var v0 = load4(p), v1 = load4(p + 64), v2 = load4(p + 128), v3 = load4(p + 192)
                var v4 = load4(p + 256), v5 = load4(p + 320), v6 = load4(p + 384), v7 = load4(p + 448)
                if inverse {
                    butterfly(&v0, &v4)
                    butterfly(&v0, &v2); butterfly(&v4, &v6)
                    butterfly(&v0, &v1); butterfly(&v2, &v3); butterfly(&v4, &v5); butterfly(&v6, &v7)
                } else {
                    butterfly(&v0, &v1); butterfly(&v2, &v3); butterfly(&v4, &v5); butterfly(&v6, &v7)
                    butterfly(&v0, &v2); butterfly(&v4, &v6)
                    butterfly(&v0, &v4)
                }
                store4(v0, p); store4(v1, p + 64); store4(v2, p + 128); store4(v3, p + 192)
                store4(v4, p + 256); store4(v5, p + 320); store4(v6, p + 384); store4(v7, p + 448)
            }
        }
    }

    /// The squared norm of Haar coefficient `member` of a group of `size`.
    @inline(__always)
    static func norm2(member: Int, size: Int) -> Float {
        Float(member == 0 ? size : 2 * (member & -member))
    }

    /// Haar levels in memory, scale `from` to scale `to` (inclusive), doubling
    /// (`step` 2) or halving (`step` 0) the scale: for a scale h, patches i and
    /// i + h for every i that is a multiple of 2h.
    @inline(__always)
    private func levels(size: Int, from: Int, to: Int, step: Int) {
        var h = from
        while step == 2 ? h <= to : h >= to && h >= 1 {
            var i = 0
            while i < size {
                let a = coefficients + i * 64, b = a + h * 64
                for column in 0 ..< 16 {
                    let k = 4 * column
                    var u = load4(a + k), v = load4(b + k)
                    butterfly(&u, &v)
                    store4(u, a + k)
                    store4(v, b + k)
                }
                i += 2 * h
            }
            h = step == 2 ? h * 2 : h / 2
        }
    }

    @inline(__always)
    private func butterfly(_ a: inout SIMD4<Float>, _ b: inout SIMD4<Float>) {
        let sum = a + b
        b = a - b
        a = sum
    }

    /// Adds the group's patches (2-D spectra, after `inverseHaar`) to
    /// `accumulator` in `channel` with aggregation weight `weight`.
    @inline(__always)
    func scatter(into accumulator: SpectralAccumulator, channel: Int,
                 xs: UnsafePointer<Int32>, ys: UnsafePointer<Int32>, size: Int, weight: Float) {
        for m in 0 ..< size {
            accumulator.add(channel: channel, x: Int(xs[m]), y: Int(ys[m]), spectrum: coefficients + m * 64,
                            weight: weight)
        }
    }
}
