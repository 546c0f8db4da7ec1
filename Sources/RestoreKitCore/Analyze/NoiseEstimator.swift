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
    /// At most this many blocks are transformed; larger images use a wider stride.
    static let maxBlocks = 40_000
    /// Blocks whose mean is within this many σ of 0 or 1 are left out.
    static let clipMargin = 2.0
    /// Fewer selected blocks than this end the iteration (tiny or fully textured images).
    static let minimumBlocks = 20
    /// Selected blocks per brightness band when splitting by brightness.
    static let blocksPerBand = 150

    /// The fitted calibration: σ = √(max(0, (gain·raw)² − floor²)).
    let gain: Double
    let floor: Double

    func estimate(_ planes: AnalysisPlanes) -> NoiseEstimate {
        let none = NoiseEstimate(sigma: 0, confidence: 0, byBrightness: [], signalDependent: false)
        let (w, h, channels) = (planes.width, planes.height, planes.channels)
        guard w >= 8, h >= 8 else { return none }
        var stride = 4
        while ((w - 8) / stride + 1) * ((h - 8) / stride + 1) > Self.maxBlocks { stride += 1 }
        var origins: [Int] = []
        for y in Swift.stride(from: 0, through: h - 8, by: stride) {
            for x in Swift.stride(from: 0, through: w - 8, by: stride) { origins.append(y * w + x) }
        }
        let stats = BlockStatistics(planes.color, width: w, height: h, channels: channels, origins: origins)
        let transformed = planes.opponent()
        let kept = (0 ..< 64).filter { !Self.excluded.contains($0) }
        let m = Double(kept.count * channels)

        // Energies of every block.
        var energy = [Double](repeating: 0, count: origins.count)
        forEachSpectrum(transformed, width: w, channels: channels, origins: origins) { block, plane, y in
            var sum: Float = 0
            for k in kept { sum += y[k] * y[k] }
            energy[block] += Double(sum)
        }

        // Iterative weak-texture selection.
        let unclipped = (0 ..< origins.count).filter { stats.low[$0] > 0 && stats.high[$0] < 1 }
        guard unclipped.count >= Self.minimumBlocks else { return none }
        var s2 = Self.median(unclipped.map { energy[$0] }) / m
        let cut = ChiSquare.quantile(z: ChiSquare.z99, degrees: m)
        let truncation = ChiSquare.truncatedMeanFactor(z: ChiSquare.z99, degrees: m)
        var selected: [Int] = []
        for _ in 0 ..< 40 {
            let margin = Float(Self.clipMargin * s2.squareRoot())
            let limit = s2 * cut
            let candidates = unclipped.filter {
                energy[$0] <= limit && stats.lowestMean[$0] > margin && stats.highestMean[$0] < 1 - margin
            }
            guard candidates.count >= Self.minimumBlocks else { break }
            selected = candidates
            let next = candidates.reduce(0) { $0 + energy[$1] } / Double(candidates.count) / m / truncation
            let settled = abs(next - s2) <= 1e-4 * s2
            s2 = next
            if settled { break }
        }
        guard !selected.isEmpty else { return none }

        // Per-frequency variances over the selected blocks, overall and per brightness band.
        let bandCount = min(4, selected.count / Self.blocksPerBand)
        let byBrightness = selected.sorted { stats.brightness[$0] < stats.brightness[$1] }
        var band = [Int](repeating: 0, count: origins.count)
        for (rank, block) in byBrightness.enumerated() where bandCount > 1 {
            band[block] = rank * bandCount / byBrightness.count
        }
        let bands = max(bandCount, 1)
        let slots = channels * kept.count
        var sums = [Double](repeating: 0, count: bands * slots)
        var kIndex = [Int](repeating: 0, count: 64)
        for (i, k) in kept.enumerated() { kIndex[k] = i }
        forEachSpectrum(transformed, width: w, channels: channels, origins: selected.map { origins[$0] }) {
            n, plane, y in
            let base = band[selected[n]] * slots + plane * kept.count
            for k in kept { sums[base + kIndex[k]] += Double(y[k] * y[k]) }
        }
        var bandCounts = [Int](repeating: 0, count: bands)
        for block in selected { bandCounts[band[block]] += 1 }
        var overall = [Double](repeating: 0, count: slots)
        for b in 0 ..< bands {
            for i in 0 ..< slots { overall[i] += sums[b * slots + i] }
        }
        let variances = overall.map { $0 / Double(selected.count) }
        let raw = Self.lowerHalfMean(variances).squareRoot()
        let sigma = calibrated(raw)

        var levels: [NoiseEstimate.Level] = []
        if bandCount > 1 {
            for b in 0 ..< bands {
                let members = byBrightness[b * byBrightness.count / bands ..< (b + 1) * byBrightness.count / bands]
                let v = (0 ..< slots).map { sums[b * slots + $0] / Double(bandCounts[b]) }
                let brightness = members.reduce(0.0) { $0 + Double(stats.brightness[$1]) } / Double(members.count)
                levels.append(.init(brightness: brightness, sigma: calibrated(Self.lowerHalfMean(v).squareRoot())))
            }
        }
        let sigmas = levels.map(\.sigma)
        let signalDependent = (sigmas.max() ?? 0) >= 0.005
            && (sigmas.max() ?? 0) >= 1.3 * max(sigmas.min() ?? 0, 1e-9)

        // Texture that got through shows as frequencies well above the lower half.
        let textureRatio = variances.reduce(0, +) / Double(variances.count) / max(Self.lowerHalfMean(variances), 1e-20)
        let confidence = min(1, Double(selected.count) / 200) * exp(-4 * max(0, textureRatio - 1.05))
        return NoiseEstimate(sigma: sigma, confidence: confidence, byBrightness: levels,
                             signalDependent: signalDependent)
    }

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

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
