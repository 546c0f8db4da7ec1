#if canImport(Glibc)
import Glibc
#endif

/// The σ of noise that was added *before* JPEG compression, measured through
/// the quantiser.
///
/// JPEG stores each 8×8 DCT coefficient of the luma as a whole multiple of its
/// step Q; noise of σ_Y in a flat block makes level l appear with probability
/// Φ((l + ½)Q/σ_Y) − Φ((l − ½)Q/σ_Y). Coarse steps erase most of the noise, so
/// the noise left in the pixels says little, but how often each level appears
/// still does. The levels of the grid-aligned luma blocks are read back from
/// the decoded pixels; flat blocks are selected iteratively (energy below the
/// 99 % point expected for pure quantised noise, as in `NoiseEstimator`); σ_Y
/// is the maximum-likelihood value over those blocks, from the frequencies
/// where the noise shows least texture: every frequency with almost no
/// non-zero levels (they bound σ_Y from above) and the lower half, by their own
/// estimate, of the others. Colour noise of σ per channel has luma σ
/// 0.669 σ (√(0.299² + 0.587² + 0.114²)); gray images' luma is the plane.
struct QuantizedNoiseEstimator {
    /// Coefficients left out, as in `NoiseEstimator`.
    static let excluded: Set<Int> = [0, 1, 8]
    /// At most this many blocks are used; larger images skip blocks evenly.
    static let maxBlocks = 40_000
    /// Levels above this are counted as this (they only occur in texture).
    static let maxLevel = 40
    /// The luma σ candidates, 0–255 units: log-spaced from 0.2 to 80.
    static let grid: [Double] = (0 ..< 160).map { 0.2 * pow(400, Double($0) / 159) }
    /// A frequency with at least this share of non-zero levels is informative.
    static let informativeShare = 0.01
    /// Luma noise σ per unit of independent per-channel noise σ.
    static let colorNoiseLumaGain = (0.299 * 0.299 + 0.587 * 0.587 + 0.114 * 0.114).squareRoot()

    /// The fitted calibration: σ = gain·raw.
    let gain: Double

    /// The noise σ per channel of `planes`, whose luma was JPEG-compressed
    /// with `table` (64 steps, natural order) on the 8×8 grid starting at `offset`.
    func estimate(_ planes: AnalysisPlanes, table: [UInt16], offset: (x: Int, y: Int)) -> NoiseEstimate {
        let none = NoiseEstimate(sigma: 0, confidence: 0, byBrightness: [], signalDependent: false)
        let (w, h) = (planes.width, planes.height)
        let columns = (w - offset.x) / 8, rows = (h - offset.y) / 8
        guard columns > 0, rows > 0, table.count == 64 else { return none }
        var step = 1
        while (columns / step) * (rows / step) > Self.maxBlocks { step += 1 }
        var origins: [Int] = []
        for j in Swift.stride(from: 0, to: rows, by: step) {
            for i in Swift.stride(from: 0, to: columns, by: step) {
                origins.append((offset.y + 8 * j) * w + offset.x + 8 * i)
            }
        }
        let stats = BlockStatistics(planes.color, width: w, height: h, channels: planes.channels, origins: origins)
        let kept = (0 ..< 64).filter { !Self.excluded.contains($0) }
        let steps = kept.map { Double(max(table[$0], 1)) }
        let levels = readLevels(planes.luma255, width: w, origins: origins, kept: kept, steps: steps)
        let f = kept.count
        var energy = [Double](repeating: 0, count: origins.count)
        for b in 0 ..< origins.count {
            var sum = 0.0
            for j in 0 ..< f {
                let v = Double(levels[b * f + j]) * steps[j]
                sum += v * v
            }
            energy[b] = sum
        }

        // Log-probabilities of each level and moments of the quantised energy, per frequency.
        var models: [Double: LevelModel] = [:]
        let model = steps.map { step in
            if let known = models[step] { return known }
            let made = LevelModel(step: step)
            models[step] = made
            return made
        }
        let lumaGain = planes.channels == 3 ? Self.colorNoiseLumaGain : 1
        let unclipped = (0 ..< origins.count).filter { stats.low[$0] > 0 && stats.high[$0] < 1 }
        guard unclipped.count >= NoiseEstimator.minimumBlocks else { return none }
        let g = Self.grid.count
        let start = NoiseEstimator.median(unclipped.map { energy[$0] })
        var index = (0 ..< g).min { i, k in
            abs(model.reduce(0) { $0 + $1.mean[i] } - start) < abs(model.reduce(0) { $0 + $1.mean[k] } - start)
        }!
        var joint = [Double](repeating: 0, count: g)
        var selectedCount = 0, informativeCount = 0
        for _ in 0 ..< 40 {
            let mean = model.reduce(0) { $0 + $1.mean[index] }
            let variance = model.reduce(0) { $0 + $1.variance[index] }
            let limit = mean + ChiSquare.z99 * variance.squareRoot()
            let margin = Float(NoiseEstimator.clipMargin * Self.grid[index] / 255 / lumaGain)
            let selected = unclipped.filter {
                energy[$0] <= limit && stats.lowestMean[$0] > margin && stats.highestMean[$0] < 1 - margin
            }
            guard selected.count >= NoiseEstimator.minimumBlocks else { break }
            selectedCount = selected.count
            var counts = [Double](repeating: 0, count: f * (Self.maxLevel + 1))
            for b in selected {
                for j in 0 ..< f { counts[j * (Self.maxLevel + 1) + Int(levels[b * f + j])] += 1 }
            }
            var likelihood = [[Double]](repeating: [Double](repeating: 0, count: g), count: f)
            var own = [Double](repeating: 0, count: f)
            var informative: [Int] = []
            for j in 0 ..< f {
                let row = counts[j * (Self.maxLevel + 1) ..< (j + 1) * (Self.maxLevel + 1)]
                for (l, count) in row.enumerated() where count > 0 {
                    for i in 0 ..< g { likelihood[j][i] += count * model[j].logProbability[l * g + i] }
                }
                own[j] = Self.grid[Self.argmax(likelihood[j])]
                if 1 - row.first! / Double(selected.count) >= Self.informativeShare { informative.append(j) }
            }
            informativeCount = informative.count
            var use = Set(0 ..< f).subtracting(informative)
            use.formUnion(informative.sorted { own[$0] < own[$1] }.prefix(max(1, informative.count / 2)))
            // Summed in index order: a set's iteration order varies between runs.
            let ordered = use.sorted()
            joint = (0 ..< g).map { i in ordered.reduce(0) { $0 + likelihood[$1][i] } }
            let next = Self.argmax(joint)
            if next == index { break }
            index = next
        }
        guard selectedCount > 0 else { return none }
        let raw = Self.refined(joint, at: index) / 255 / lumaGain
        let confidence = min(1, Double(selectedCount) / 200) * min(1, Double(informativeCount) / 6)
        return NoiseEstimate(sigma: gain * raw, confidence: confidence, byBrightness: [], signalDependent: false)
    }

    /// |level| of every kept coefficient of every block, capped at `maxLevel`,
    /// `kept.count` per block.
    private func readLevels(_ luma: [Float], width: Int, origins: [Int], kept: [Int], steps: [Double]) -> [UInt8] {
        let f = kept.count
        var levels = [UInt8](repeating: 0, count: origins.count * f)
        let inverse = steps.map { Float(1 / $0) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { coefficients in
            luma.withUnsafeBufferPointer { p in
                for (n, origin) in origins.enumerated() {
                    BlockSpectra.transform(p.baseAddress!, width: width, origin: origin, into: coefficients.baseAddress!)
                    for j in 0 ..< f {
                        let level = abs(coefficients[kept[j]] * inverse[j]).rounded()
                        levels[n * f + j] = UInt8(min(level, Float(Self.maxLevel)))
                    }
                }
            }
        }
        return levels
    }

    /// The grid value at the peak of `curve` near `index`, refined by a
    /// parabola through the three log-spaced points around it.
    private static func refined(_ curve: [Double], at index: Int) -> Double {
        guard index > 0, index < curve.count - 1 else { return grid[index] }
        let (a, b, c) = (curve[index - 1], curve[index], curve[index + 1])
        let denominator = a - 2 * b + c
        let shift = denominator < 0 ? max(-0.5, min(0.5, 0.5 * (a - c) / denominator)) : 0
        let logStep = log(grid[1] / grid[0])
        return grid[index] * exp(shift * logStep)
    }

    private static func argmax(_ values: [Double]) -> Int {
        values.indices.max { values[$0] < values[$1] }!
    }

    /// For one quantisation step: log P(|level| = l) of zero-mean Gaussian
    /// noise of each grid σ, and the mean and variance of (l·Q)².
    private struct LevelModel {
        var logProbability: [Double]
        var mean: [Double]
        var variance: [Double]

        init(step q: Double) {
            let g = QuantizedNoiseEstimator.grid.count, top = QuantizedNoiseEstimator.maxLevel
            logProbability = [Double](repeating: 0, count: (top + 1) * g)
            mean = [Double](repeating: 0, count: g)
            variance = [Double](repeating: 0, count: g)
            for (i, s) in QuantizedNoiseEstimator.grid.enumerated() {
                func tail(_ x: Double) -> Double { 0.5 * erfc(x / (s * 2.0.squareRoot())) }   // P(N > x)
                var m1 = 0.0, m2 = 0.0
                for l in 0 ... top {
                    let lower = l == 0 ? 0 : tail((Double(l) - 0.5) * q)
                    let upper = l == top ? 0 : tail((Double(l) + 0.5) * q)
                    let p = l == 0 ? 1 - 2 * upper : 2 * (lower - upper)
                    logProbability[l * g + i] = log(max(p, 1e-300))
                    let e = Double(l) * q * Double(l) * q
                    m1 += p * e
                    m2 += p * e * e
                }
                mean[i] = m1
                variance[i] = max(0, m2 - m1 * m1)
            }
        }
    }
}
