#if canImport(Glibc)
import Glibc
#endif

/// The σ of white noise in an image that was not JPEG-compressed after the
/// noise was added, robust to texture.
///
/// The image is cut into 8×8 blocks (overlapping when small), each plane of
/// an orthonormal opponent transform is DCT-transformed, and a block's energy
/// is the sum of its squared coefficients except DC and the two lowest
/// frequencies (smooth gradients). For pure noise of σ that energy is σ²·χ²(m).
/// Weak-texture blocks are selected iteratively in the manner of Liu, Tanaka
/// and Okutomi (2013): keep the blocks below the 99 % point of σ²·χ²(m), take
/// the truncation-corrected mean as the next σ², repeat from the median until
/// it settles. Texture that survives the selection sits in a few
/// frequencies, so the final σ² is the mean of the *lower half* of the
/// per-frequency variances over the selected blocks, not of all of them.
/// Blocks with a clipped sample, or whose mean lies within 2σ of 0 or 1, are
/// left out: clipping hides part of the noise there.
struct NoiseEstimator {
    /// Coefficients left out of a block's energy: DC, (0, 1) and (1, 0).
    static let excluded: Set<Int> = [0, 1, 8]
    /// The coefficients a block's energy sums, in natural order.
    static let kept = (0 ..< 64).filter { !NoiseEstimator.excluded.contains($0) }
    /// At most this many blocks are transformed; larger images use a wider stride.
    static let maxBlocks = 40_000
    /// The block stride (pixels) tried first; blocks of 8 overlap at it.
    static let initialStride = 4
    /// Blocks whose mean is within this many σ of 0 or 1 are left out.
    static let clipMargin = 2.0
    /// Fewer selected blocks than this end the iteration (tiny or fully textured images).
    static let minimumBlocks = 20
    /// Rounds of the weak-texture selection at most.
    static let maxIterations = 40
    /// The selection has settled once a round moves σ² by at most this fraction of it.
    static let settleTolerance = 1e-4
    /// Unclipped blocks per brightness band at least, when splitting by brightness.
    static let candidatesPerBand = 600
    /// Selected blocks a brightness band needs to be reported.
    static let blocksPerBand = 150
    /// Brightness bands at most.
    static let maxBands = 4
    /// Noise counts as signal-dependent only if some band's σ reaches this (image units)…
    static let signalDependentSigma = 0.005
    /// …and is at least this many times the smallest band's σ.
    static let signalDependentRatio = 1.3
    /// The smallest band σ that ratio is taken against (a band of σ 0 counts as this).
    static let signalDependentFloor = 1e-9
    /// Selected blocks from which their number no longer lowers the confidence.
    static let confidentBlocks = 200.0
    /// Mean over lower-half mean of the per-frequency variances up to which
    /// no texture is assumed to have got through.
    static let textureRatioTolerance = 1.05
    /// Confidence falls as exp(−this × the ratio's excess over the tolerance).
    static let textureConfidenceDecay = 4.0
    /// The least lower-half mean the texture ratio divides by (a noiseless image has 0).
    static let textureRatioFloor = 1e-20

    /// The fitted calibration: σ = √(max(0, (gain·raw)² − floor²)).
    let gain: Double
    let floor: Double

    /// The noise σ per channel of `planes`, with its confidence and, when enough
    /// flat blocks were found, its change with brightness.
    func estimate(_ planes: AnalysisPlanes) -> NoiseEstimate {
        let (w, h, channels) = (planes.width, planes.height, planes.channels)
        guard w >= 8, h >= 8 else { return .unmeasured }
        let origins = Self.blockOrigins(width: w, height: h)
        let stats = BlockStatistics(planes.color, width: w, height: h, channels: channels, origins: origins)
        let transformed = planes.opponent()
        let energy = blockEnergies(transformed, width: w, channels: channels, origins: origins)
        let degrees = Double(Self.kept.count * channels)
        guard let selected = Self.weakTextureBlocks(energy: energy, stats: stats, among: stats.unclipped,
                                                    degrees: degrees) else {
            return .unmeasured
        }

        let variances = frequencyVariances(transformed, width: w, channels: channels, origins: origins,
                                           blocks: selected)
        let sigma = calibrated(Self.lowerHalfMean(variances).squareRoot())
        let levels = brightnessLevels(transformed, width: w, channels: channels, origins: origins,
                                      energy: energy, stats: stats, degrees: degrees)
        return NoiseEstimate(sigma: sigma, confidence: Self.confidence(variances: variances, blocks: selected.count),
                             byBrightness: levels, signalDependent: Self.isSignalDependent(levels))
    }

    /// Top-left sample indices of the 8×8 blocks: every `initialStride` pixels,
    /// or wider so that at most `maxBlocks` remain.
    static func blockOrigins(width w: Int, height h: Int) -> [Int] {
        var stride = initialStride
        while ((w - 8) / stride + 1) * ((h - 8) / stride + 1) > maxBlocks { stride += 1 }
        var origins: [Int] = []
        for y in Swift.stride(from: 0, through: h - 8, by: stride) {
            for x in Swift.stride(from: 0, through: w - 8, by: stride) { origins.append(y * w + x) }
        }
        return origins
    }

    /// Each block's energy: its kept coefficients squared, summed over the planes.
    private func blockEnergies(_ planes: [Float], width: Int, channels: Int, origins: [Int]) -> [Double] {
        let kept = Self.kept
        var energy = [Double](repeating: 0, count: origins.count)
        forEachSpectrum(planes, width: width, channels: channels, origins: origins) { block, plane, y in
            var sum: Float = 0
            for k in kept { sum += y[k] * y[k] }
            energy[block] += Double(sum)
        }
        return energy
    }

    /// The weak-texture blocks among `unclipped`, selected iteratively from
    /// their median energy (σ²·χ²(`degrees`) for pure noise); nil when too few.
    private static func weakTextureBlocks(energy: [Double], stats: BlockStatistics, among unclipped: [Int],
                                          degrees m: Double) -> [Int]? {
        guard unclipped.count >= minimumBlocks else { return nil }
        var s2 = median(unclipped.map { energy[$0] }) / m
        let cut = ChiSquare.quantile(z: ChiSquare.z99, degrees: m)
        let truncation = ChiSquare.truncatedMeanFactor(z: ChiSquare.z99, degrees: m)
        var selected: [Int] = []
        for _ in 0 ..< maxIterations {
            let margin = Float(clipMargin * s2.squareRoot())
            let candidates = stats.flat(unclipped, energy: energy, limit: s2 * cut, margin: margin)
            guard candidates.count >= minimumBlocks else { break }
            selected = candidates
            let next = candidates.reduce(0) { $0 + energy[$1] } / Double(candidates.count) / m / truncation
            let settled = abs(next - s2) <= settleTolerance * s2
            s2 = next
            if settled { break }
        }
        return selected.isEmpty ? nil : selected
    }

    /// The per-frequency variances (`channels × kept.count` slots) over `blocks`.
    private func frequencyVariances(_ planes: [Float], width: Int, channels: Int, origins: [Int],
                                    blocks: [Int]) -> [Double] {
        let kept = Self.kept
        var sums = [Double](repeating: 0, count: channels * kept.count)
        forEachSpectrum(planes, width: width, channels: channels, origins: blocks.map { origins[$0] }) {
            _, plane, y in
            for (i, k) in kept.enumerated() { sums[plane * kept.count + i] += Double(y[k] * y[k]) }
        }
        return sums.map { $0 / Double(blocks.count) }
    }

    /// σ from dark to bright: the unclipped blocks ranked by brightness and cut
    /// into up to `maxBands` bands of at least `candidatesPerBand`, each with
    /// its own weak-texture selection (noise that changes with brightness
    /// would otherwise leave only the quietest band's blocks under one σ's
    /// cut); empty with fewer than two bands.
    private func brightnessLevels(_ planes: [Float], width: Int, channels: Int, origins: [Int], energy: [Double],
                                  stats: BlockStatistics, degrees: Double) -> [NoiseEstimate.Level] {
        let ranked = stats.unclipped.sorted { stats.brightness[$0] < stats.brightness[$1] }
        let count = min(Self.maxBands, ranked.count / Self.candidatesPerBand)
        guard count > 1 else { return [] }
        let levels = (0 ..< count).compactMap { b -> NoiseEstimate.Level? in
            let band = Array(ranked[b * ranked.count / count ..< (b + 1) * ranked.count / count])
            guard let selected = Self.weakTextureBlocks(energy: energy, stats: stats, among: band, degrees: degrees),
                  selected.count >= Self.blocksPerBand else { return nil }
            let v = frequencyVariances(planes, width: width, channels: channels, origins: origins, blocks: selected)
            let mean = selected.reduce(0.0) { $0 + Double(stats.brightness[$1]) } / Double(selected.count)
            return NoiseEstimate.Level(brightness: mean, sigma: calibrated(Self.lowerHalfMean(v).squareRoot()))
        }
        return levels.count > 1 ? levels : []
    }

    /// Whether σ clearly changes between the brightness `levels`.
    private static func isSignalDependent(_ levels: [NoiseEstimate.Level]) -> Bool {
        let sigmas = levels.map(\.sigma)
        return (sigmas.max() ?? 0) >= signalDependentSigma
            && (sigmas.max() ?? 0) >= signalDependentRatio * max(sigmas.min() ?? 0, signalDependentFloor)
    }

    /// Confidence from the number of selected `blocks` and the texture that got
    /// through: it shows as frequencies well above the lower half of `variances`.
    private static func confidence(variances: [Double], blocks: Int) -> Double {
        let textureRatio = variances.reduce(0, +) / Double(variances.count)
            / max(lowerHalfMean(variances), textureRatioFloor)
        return min(1, Double(blocks) / confidentBlocks)
            * exp(-textureConfidenceDecay * max(0, textureRatio - textureRatioTolerance))
    }

    /// σ from the raw estimate through the calibration.
    private func calibrated(_ raw: Double) -> Double {
        let g = gain * raw
        return max(0, g * g - floor * floor).squareRoot()
    }

    /// Calls `body(n, plane, coefficients)` for block n of `origins` in each
    /// of `channels` planes of `planes`.
    private func forEachSpectrum(_ planes: [Float], width: Int, channels: Int, origins: [Int],
                                 _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        let planeSize = planes.count / channels
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { coefficients in
            planes.withUnsafeBufferPointer { p in
                for (n, origin) in origins.enumerated() {
                    for plane in 0 ..< channels {
                        BlockSpectra.transform(p.baseAddress! + plane * planeSize, width: width, origin: origin,
                                               into: coefficients.baseAddress!)
                        body(n, plane, coefficients.baseAddress!)
                    }
                }
            }
        }
    }

    /// The mean of the smaller half of `values`.
    static func lowerHalfMean(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let half = sorted.prefix(max(1, sorted.count / 2))
        return half.reduce(0, +) / Double(half.count)
    }

    /// The upper median of `values` (not empty).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
