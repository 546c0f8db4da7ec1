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
    /// At most this many blocks are used; larger images skip blocks evenly.
    static let maxBlocks = 40_000
    /// Levels above this are counted as this (they only occur in texture).
    static let maxLevel = 40
    /// The luma σ candidates, 0–255 units: log-spaced from 0.2 to 80.
    static let grid: [Double] = (0 ..< 160).map { 0.2 * pow(400, Double($0) / 159) }
    /// Grid units per unit of the planes' samples (the grid is in 0–255 units).
    static let gridScale = 255.0
    /// A frequency with at least this share of non-zero levels is informative.
    static let informativeShare = 0.01
    /// Rounds of the flat-block selection at most.
    static let maxIterations = 40
    /// Informative frequencies from which their number no longer lowers the confidence.
    static let confidentFrequencies = 6.0
    /// The parabola's peak is kept within this many grid steps of the best grid σ.
    static let maxPeakShift = 0.5
    /// The least probability a level's log is taken of (levels that noise of a
    /// grid σ all but never produces).
    static let minimumProbability = 1e-300
    /// Luma noise σ per unit of independent per-channel noise σ.
    static let colorNoiseLumaGain = (0.299 * 0.299 + 0.587 * 0.587 + 0.114 * 0.114).squareRoot()

    /// The fitted calibration: σ = gain·raw.
    let gain: Double

    /// The noise σ per channel of `planes`, whose luma was JPEG-compressed
    /// with `table` (64 steps, natural order) on the 8×8 grid starting at `offset`.
    func estimate(_ planes: AnalysisPlanes, table: [UInt16], offset: (x: Int, y: Int)) -> NoiseEstimate {
        let (w, h) = (planes.width, planes.height)
        let columns = (w - offset.x) / 8, rows = (h - offset.y) / 8
        guard columns > 0, rows > 0, table.count == 64 else { return .unmeasured }
        let origins = Self.blockOrigins(columns: columns, rows: rows, offset: offset, width: w)
        let stats = BlockStatistics(planes.color, width: w, height: h, channels: planes.channels, origins: origins)
        // The levels of the coefficients whose energy `NoiseEstimator` sums.
        let kept = NoiseEstimator.kept
        let steps = kept.map { Double(max(table[$0], 1)) }
        let levels = readLevels(planes.luma255, width: w, origins: origins, kept: kept, steps: steps)
        let energy = Self.energies(levels: levels, steps: steps, blocks: origins.count)
        let models = Self.levelModels(steps: steps)
        let lumaGain = planes.channels == 3 ? Self.colorNoiseLumaGain : 1
        let unclipped = stats.unclipped
        guard unclipped.count >= NoiseEstimator.minimumBlocks else { return .unmeasured }
        var fit = Fit(models: models, start: NoiseEstimator.median(unclipped.map { energy[$0] }))
        fit.refine(levels: levels, energy: energy, stats: stats, unclipped: unclipped, lumaGain: lumaGain)
        guard fit.selectedCount > 0 else { return .unmeasured }
        let raw = Self.refined(fit.joint, at: fit.index) / Self.gridScale / lumaGain
        let confidence = min(1, Double(fit.selectedCount) / NoiseEstimator.confidentBlocks)
            * min(1, Double(fit.informativeCount) / Self.confidentFrequencies)
        return NoiseEstimate(sigma: gain * raw, confidence: confidence, byBrightness: [], signalDependent: false)
    }

    /// Top-left sample indices of the grid-aligned blocks: every block of the
    /// `columns × rows` grid at `offset`, or every `step`-th each way so that
    /// at most `maxBlocks` remain.
    private static func blockOrigins(columns: Int, rows: Int, offset: (x: Int, y: Int), width w: Int) -> [Int] {
        var step = 1
        while (columns / step) * (rows / step) > maxBlocks { step += 1 }
        var origins: [Int] = []
        for j in Swift.stride(from: 0, to: rows, by: step) {
            for i in Swift.stride(from: 0, to: columns, by: step) {
                origins.append((offset.y + 8 * j) * w + offset.x + 8 * i)
            }
        }
        return origins
    }

    /// Each block's energy: Σ (level · step)² over the kept coefficients.
    private static func energies(levels: [UInt8], steps: [Double], blocks: Int) -> [Double] {
        let f = steps.count
        var energy = [Double](repeating: 0, count: blocks)
        for b in 0 ..< blocks {
            var sum = 0.0
            for j in 0 ..< f {
                let v = Double(levels[b * f + j]) * steps[j]
                sum += v * v
            }
            energy[b] = sum
        }
        return energy
    }

    /// The level model of each kept frequency, made once per distinct step.
    private static func levelModels(steps: [Double]) -> [LevelModel] {
        var models: [Double: LevelModel] = [:]
        return steps.map { step in
            if let known = models[step] { return known }
            let made = LevelModel(step: step)
            models[step] = made
            return made
        }
    }

    /// The maximum-likelihood search for σ_Y over the grid, alternating the
    /// selection of flat blocks (for the current σ_Y) with the fit to their
    /// levels until the best grid σ_Y stays put.
    private struct Fit {
        /// The level model of each kept frequency.
        let models: [LevelModel]
        /// The grid index of the current σ_Y.
        var index: Int
        /// The log-likelihood of each grid σ_Y, over the frequencies used (empty before a round).
        var joint: [Double]
        /// Blocks selected in the last round that selected enough.
        var selectedCount = 0
        /// Informative frequencies in that round.
        var informativeCount = 0

        /// Starts at the grid σ_Y whose expected energy is nearest `start`.
        init(models: [LevelModel], start: Double) {
            self.models = models
            let g = QuantizedNoiseEstimator.grid.count
            index = (0 ..< g).min { i, k in
                abs(models.reduce(0) { $0 + $1.mean[i] } - start) < abs(models.reduce(0) { $0 + $1.mean[k] } - start)
            }!
            joint = [Double](repeating: 0, count: g)
        }

        /// Runs the rounds until the index settles, too few blocks are flat, or
        /// `maxIterations` rounds have run.
        mutating func refine(levels: [UInt8], energy: [Double], stats: BlockStatistics, unclipped: [Int],
                             lumaGain: Double) {
            for _ in 0 ..< QuantizedNoiseEstimator.maxIterations {
                let selected = flatBlocks(energy: energy, stats: stats, unclipped: unclipped, lumaGain: lumaGain)
                guard selected.count >= NoiseEstimator.minimumBlocks else { break }
                selectedCount = selected.count
                let counts = levelCounts(levels, blocks: selected)
                let frequencies = FrequencyLikelihoods(counts: counts, models: models, blocks: selected.count)
                informativeCount = frequencies.informative.count
                joint = frequencies.joint()
                let next = QuantizedNoiseEstimator.argmax(joint)
                if next == index { break }
                index = next
            }
        }

        /// The unclipped blocks whose energy is below the 99 % point of pure
        /// quantised noise of the current σ_Y, and whose means keep clear of 0 and 1.
        private func flatBlocks(energy: [Double], stats: BlockStatistics, unclipped: [Int],
                                lumaGain: Double) -> [Int] {
            let mean = models.reduce(0) { $0 + $1.mean[index] }
            let variance = models.reduce(0) { $0 + $1.variance[index] }
            let limit = mean + ChiSquare.z99 * variance.squareRoot()
            let margin = Float(NoiseEstimator.clipMargin * QuantizedNoiseEstimator.grid[index]
                / QuantizedNoiseEstimator.gridScale / lumaGain)
            return stats.flat(unclipped, energy: energy, limit: limit, margin: margin)
        }

        /// How often each level (0…`maxLevel`) appears per kept frequency over
        /// `blocks`: `maxLevel + 1` counts per frequency.
        private func levelCounts(_ levels: [UInt8], blocks: [Int]) -> [Double] {
            let f = models.count, levelsPerFrequency = QuantizedNoiseEstimator.maxLevel + 1
            var counts = [Double](repeating: 0, count: f * levelsPerFrequency)
            for b in blocks {
                for j in 0 ..< f { counts[j * levelsPerFrequency + Int(levels[b * f + j])] += 1 }
            }
            return counts
        }
    }

    /// Per kept frequency: the log-likelihood of each grid σ_Y given the level
    /// counts, that frequency's own best σ_Y, and whether it is informative.
    private struct FrequencyLikelihoods {
        /// Log-likelihood per frequency, per grid index.
        var likelihood: [[Double]]
        /// The grid σ_Y each frequency alone fits best.
        var own: [Double]
        /// The frequencies with at least `informativeShare` non-zero levels, ascending.
        var informative: [Int] = []

        init(counts: [Double], models: [LevelModel], blocks: Int) {
            let grid = QuantizedNoiseEstimator.grid, g = grid.count, f = models.count
            let levelsPerFrequency = QuantizedNoiseEstimator.maxLevel + 1
            likelihood = [[Double]](repeating: [Double](repeating: 0, count: g), count: f)
            own = [Double](repeating: 0, count: f)
            for j in 0 ..< f {
                let row = counts[j * levelsPerFrequency ..< (j + 1) * levelsPerFrequency]
                for (l, count) in row.enumerated() where count > 0 {
                    for i in 0 ..< g { likelihood[j][i] += count * models[j].logProbability[l * g + i] }
                }
                own[j] = grid[QuantizedNoiseEstimator.argmax(likelihood[j])]
                if 1 - row.first! / Double(blocks) >= QuantizedNoiseEstimator.informativeShare {
                    informative.append(j)
                }
            }
        }

        /// The log-likelihood of each grid σ_Y over the frequencies that show
        /// least texture: every uninformative one and the lower half, by their
        /// own σ_Y, of the informative ones.
        func joint() -> [Double] {
            var use = Set(0 ..< likelihood.count).subtracting(informative)
            use.formUnion(informative.sorted { own[$0] < own[$1] }.prefix(max(1, informative.count / 2)))
            // Summed in index order: a set's iteration order varies between runs.
            let ordered = use.sorted()
            return (0 ..< QuantizedNoiseEstimator.grid.count).map { i in ordered.reduce(0) { $0 + likelihood[$1][i] } }
        }
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
        let shift = denominator < 0 ? max(-maxPeakShift, min(maxPeakShift, 0.5 * (a - c) / denominator)) : 0
        let logStep = log(grid[1] / grid[0])
        return grid[index] * exp(shift * logStep)
    }

    /// The index of the largest of `values` (not empty).
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
                    logProbability[l * g + i] = log(max(p, QuantizedNoiseEstimator.minimumProbability))
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
