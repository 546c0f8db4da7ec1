#if canImport(Glibc)
import Glibc
#endif

/// The σ and grain of noise that may be spatially correlated (a camera's
/// demosaicing, film grain), which `NoiseEstimator`'s white-noise model
/// measures only in its high frequencies (about half the σ of demosaiced noise).
///
/// Over flat 8×8 blocks the noise's power spectrum is fitted per opponent
/// plane as S(u, v) = A·exp(−b(u² + v²)) in the block's DCT frequencies, on
/// log power with residuals above the fit down-weighted (texture only adds
/// power). σ² is the fitted spectrum's mean over all 64 frequencies (the DCT
/// is orthonormal), the grain √(S(0, 0)/σ²): the square root of the noise's
/// correlation area, 1 for white noise. Blocks are selected as in
/// `NoiseEstimator` (from the quietest tenth, then those below the 99 % point
/// of their energy's distribution), the distribution now that of a sum of
/// squares with the fitted, unequal variances and the planes' correlation
/// (Welch–Satterthwaite's degrees, Wilson–Hilferty's quantile). Blocks with
/// over a tenth of their samples at 0 or 1 are left out: clipping makes them
/// look flat. Gaussian grain wider than about 2 px reads small (an 8×8 block
/// sees too little of it); the measurements are in bench/NOTES.md.
struct CorrelatedNoiseEstimator {
    /// The fitted noise: σ (image units), grain (pixels) and how many blocks
    /// the fit read.
    struct Finding: Equatable {
        var sigma: Double
        var grain: Double
        var blocks: Int
    }

    /// Coefficients of a block's energy: all but DC, (0, 1) and (1, 0).
    static let kept = NoiseEstimator.kept
    /// Blocks with more than this share of samples at 0 or 1 are left out.
    static let clippedShare = 0.1
    /// Samples this close to 0 or 1 count as clipped.
    static let clipTolerance: Float = 0.5 / 255
    /// The first selection: the quietest blocks up to this quantile of energy.
    static let initialQuantile = 0.1
    /// Rounds of reselection at most.
    static let maxIterations = 8
    /// Fewer blocks than this end the reselection.
    static let minimumBlocks = 20
    /// Rounds of the reweighted spectrum fit.
    static let fitIterations = 30
    /// Log-power residual above the fit at which a frequency's weight halves.
    static let residualScale = 0.1

    /// The noise of `planes`; nil when too few unclipped blocks (or none flat).
    func estimate(_ planes: AnalysisPlanes) -> Finding? {
        let (w, h, channels) = (planes.width, planes.height, planes.channels)
        guard w >= 8, h >= 8 else { return nil }
        let origins = NoiseEstimator.blockOrigins(width: w, height: h)
        let coefficients = Self.spectra(planes.opponent(), width: w, channels: channels, origins: origins)
        let valid = Self.unclippedBlocks(planes, origins: origins)
        let kept = Self.kept
        let stride = channels * 64
        let energy = (0 ..< origins.count).map { n -> Double in
            var sum: Float = 0
            for p in 0 ..< channels {
                for k in kept { sum += coefficients[n * stride + p * 64 + k] * coefficients[n * stride + p * 64 + k] }
            }
            return Double(sum)
        }
        let candidates = valid.map { energy[$0] }.sorted()
        guard candidates.count >= Self.minimumBlocks else { return nil }
        let start = Self.quantile(candidates, Self.initialQuantile)
        var selected = valid.filter { energy[$0] <= start }
        for _ in 0 ..< Self.maxIterations {
            let models = Self.fittedSpectra(coefficients, channels: channels, blocks: selected)
            let limit = Self.energyLimit(models, coefficients: coefficients, channels: channels, blocks: selected)
            let next = valid.filter { energy[$0] <= limit }
            if next.count < Self.minimumBlocks || next == selected { break }
            selected = next
        }
        guard selected.count >= Self.minimumBlocks else { return nil }
        let models = Self.fittedSpectra(coefficients, channels: channels, blocks: selected)
        let variance = models.reduce(0) { $0 + $1.reduce(0, +) / 64 } / Double(channels)
        guard variance > 0 else { return Finding(sigma: 0, grain: 1, blocks: selected.count) }
        let dc = models.reduce(0) { $0 + $1[0] } / Double(channels)
        return Finding(sigma: variance.squareRoot(), grain: (dc / variance).squareRoot(), blocks: selected.count)
    }

    /// Every block's 64 DCT coefficients per plane, block by block.
    private static func spectra(_ planes: [Float], width: Int, channels: Int, origins: [Int]) -> [Float] {
        let planeSize = planes.count / channels
        var out = [Float](repeating: 0, count: origins.count * channels * 64)
        planes.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for (n, origin) in origins.enumerated() {
                    for plane in 0 ..< channels {
                        BlockSpectra.transform(p.baseAddress! + plane * planeSize, width: width, origin: origin,
                                               into: o.baseAddress! + (n * channels + plane) * 64)
                    }
                }
            }
        }
        return out
    }

    /// The blocks with at most `clippedShare` of their colour samples at 0 or 1.
    private static func unclippedBlocks(_ planes: AnalysisPlanes, origins: [Int]) -> [Int] {
        let planeSize = planes.width * planes.height
        let limit = Int(clippedShare * Double(64 * planes.channels))
        return origins.indices.filter { n in
            var clipped = 0
            for c in 0 ..< planes.channels {
                for row in 0 ..< 8 {
                    let base = c * planeSize + origins[n] + row * planes.width
                    for x in 0 ..< 8 {
                        let v = planes.color[base + x]
                        if v <= clipTolerance || v >= 1 - clipTolerance { clipped += 1 }
                    }
                }
            }
            return clipped <= limit
        }
    }

    /// Per plane, the fitted spectrum A·exp(−b(u² + v²)) at all 64
    /// frequencies, from the mean squared coefficients of `blocks`.
    private static func fittedSpectra(_ coefficients: [Float], channels: Int, blocks: [Int]) -> [[Double]] {
        (0 ..< channels).map { p in
            var power = [Double](repeating: 0, count: 64)
            for n in blocks {
                let base = (n * channels + p) * 64
                for k in 0 ..< 64 { power[k] += Double(coefficients[base + k] * coefficients[base + k]) }
            }
            let (a, b) = fit(power.map { $0 / Double(blocks.count) })
            return (0 ..< 64).map { k in max(exp(a - b * radiusSquared(k)), 1e-12) }
        }
    }

    /// u² + v² of coefficient `k` (row u, column v).
    private static func radiusSquared(_ k: Int) -> Double { Double((k / 8) * (k / 8) + (k % 8) * (k % 8)) }

    /// log S = a − b·r² over the kept frequencies by least squares reweighted
    /// each round: weight 1 below the fit, 1 / (1 + (residual / scale)²) above.
    private static func fit(_ power: [Double]) -> (a: Double, b: Double) {
        let x = kept.map { -radiusSquared($0) }
        let y = kept.map { log(max(power[$0], 1e-20)) }
        var weights = [Double](repeating: 1, count: kept.count)
        var (a, b) = (0.0, 0.0)
        for _ in 0 ..< fitIterations {
            var (sw, sx, sy, sxx, sxy) = (0.0, 0.0, 0.0, 0.0, 0.0)
            for i in x.indices {
                let wi = weights[i]
                sw += wi; sx += wi * x[i]; sy += wi * y[i]; sxx += wi * x[i] * x[i]; sxy += wi * x[i] * y[i]
            }
            let determinant = sw * sxx - sx * sx
            guard determinant > 0 else { break }
            let slope = (sw * sxy - sx * sy) / determinant
            (a, b) = ((sy - slope * sx) / sw, slope)
            for i in x.indices {
                let residual = y[i] - (a + b * x[i])
                weights[i] = residual > 0 ? 1 / (1 + (residual / residualScale) * (residual / residualScale)) : 1
            }
        }
        return (a, b)
    }

    /// The 99 % point of a noise block's energy under the fitted spectra:
    /// Σ S_p(k)·χ²(1) over planes and kept frequencies, correlated across
    /// planes as the coefficients of `blocks` are, as a scaled χ² (Welch–Satterthwaite).
    private static func energyLimit(_ models: [[Double]], coefficients: [Float], channels: Int,
                                    blocks: [Int]) -> Double {
        var covariance = [Double](repeating: 0, count: channels * channels)
        for n in blocks {
            let base = n * channels * 64
            for p in 0 ..< channels {
                for q in p ..< channels {
                    var sum: Float = 0
                    for k in kept { sum += coefficients[base + p * 64 + k] * coefficients[base + q * 64 + k] }
                    covariance[p * channels + q] += Double(sum)
                }
            }
        }
        var mean = 0.0, spread = 0.0
        for p in 0 ..< channels {
            for k in kept { mean += models[p][k] }
            for q in 0 ..< channels {
                let (i, j) = (min(p, q), max(p, q))
                let scale = (covariance[i * channels + i] * covariance[j * channels + j]).squareRoot()
                let r = scale > 0 ? covariance[i * channels + j] / scale : (p == q ? 1 : 0)
                var products = 0.0
                for k in kept { products += models[p][k] * models[q][k] }
                spread += 2 * r * r * products
            }
        }
        guard spread > 0 else { return .infinity }
        let degrees = 2 * mean * mean / spread
        return ChiSquare.quantile(z: ChiSquare.z99, degrees: degrees) * mean / degrees
    }

    /// The `q` quantile of ascending `sorted`, interpolated linearly.
    private static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let i = Int(position), t = position - Double(i)
        return i + 1 < sorted.count ? sorted[i] + t * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
