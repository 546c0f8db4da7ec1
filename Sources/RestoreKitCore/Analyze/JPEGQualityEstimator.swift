#if canImport(Glibc)
import Glibc
#endif

/// The JPEG quality of decoded pixels, from the lattice their DCT
/// coefficients sit on.
///
/// A decoder turns every coefficient of an 8×8 luma block into a whole
/// multiple of its quantisation step; recomputing JPEG's luma from the decoded
/// RGB and transforming the grid-aligned blocks gives those multiples back,
/// off by the decoder's rounding (about 0.3 units). For each IJG quality the
/// likelihood of the coefficients of the lowest frequencies is compared with
/// that of unquantised ones: a Laplacian per frequency (scale from the data)
/// either quantised with that quality's steps plus Gaussian rounding error,
/// or not quantised at all, with a small share of outliers (clipped pixels).
/// The quality with the largest log-likelihood ratio wins; the ratio per block
/// says whether the image was compressed at all. Unlike a blockiness measure
/// this reads the quality exactly whenever the decoded pixels are intact.
///
/// The grid is tried where it starts for uncropped images (0, 0) and where the
/// block edges are strongest, for crops of JPEG images.
struct JPEGQualityEstimator {
    /// Blocks used for the final likelihood; more add nothing measurable.
    static let maxBlocks = 1000
    /// Blocks used to choose between grid offsets.
    static let probeBlocks = 300
    /// The frequencies compared: AC coefficients with u + v ≤ 5, which carry
    /// signal in almost every block, so their lattice shows.
    static let frequencies: [Int] = (0 ..< 64).filter { (1 ... 5).contains($0 / 8 + $0 % 8) }
    /// Standard deviation of the decoder's rounding, luma units.
    static let roundingSigma = 0.5
    /// Share of coefficients allowed off the lattice (clipped or saturated blocks).
    static let outlierShare = 0.02
    /// Log-likelihood ratio per block above which the image counts as compressed;
    /// unquantised images score below −0.5, the lightest JPEG (quality 95) above 2.
    static let presenceThreshold = 0.5

    /// What the lattice said.
    struct Finding {
        /// The best IJG quality.
        var quality: Int
        /// Log-likelihood ratio per block of that quality against no quantisation.
        var ratioPerBlock: Double
        /// How much better per block the best quality fits than the runner-up.
        var marginPerBlock: Double
        /// Where the grid starts.
        var offset: (x: Int, y: Int)
    }

    func estimate(_ planes: AnalysisPlanes) -> Finding? {
        guard planes.width >= 16, planes.height >= 16 else { return nil }
        var offsets = [(x: 0, y: 0)]
        let strongest = Self.blockEdgeOffset(planes)
        if strongest != (0, 0) { offsets.append(strongest) }
        let probes = offsets.compactMap { score(planes, offset: $0, blocks: Self.probeBlocks) }
        guard let best = probes.max(by: { $0.ratioPerBlock < $1.ratioPerBlock }) else { return nil }
        return score(planes, offset: best.offset, blocks: Self.maxBlocks)
    }

    /// The best quality at grid `offset`, from up to `blocks` evenly spread blocks.
    private func score(_ planes: AnalysisPlanes, offset: (x: Int, y: Int), blocks: Int) -> Finding? {
        let w = planes.width
        let columns = (w - offset.x) / 8, rows = (planes.height - offset.y) / 8
        guard columns > 0, rows > 0 else { return nil }
        let total = columns * rows
        let origins = (0 ..< min(total, blocks)).map { n -> Int in
            let index = n * total / min(total, blocks)
            return (offset.y + 8 * (index / columns)) * w + offset.x + 8 * (index % columns)
        }
        let frequencies = Self.frequencies
        var values = [[Double]](repeating: [], count: frequencies.count)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { coefficients in
            planes.luma255.withUnsafeBufferPointer { p in
                for origin in origins {
                    BlockSpectra.transform(p.baseAddress!, width: w, origin: origin, into: coefficients.baseAddress!)
                    for (j, k) in frequencies.enumerated() { values[j].append(Double(coefficients[k])) }
                }
            }
        }
        let tables = (1 ... 100).map { JPEGTables.ijg(quality: $0).luma }
        var scores = [Double](repeating: 0, count: 100)
        for (j, k) in frequencies.enumerated() {
            var cache: [UInt16: Double] = [:]
            for q in 0 ..< 100 {
                let step = tables[q][k]
                if cache[step] == nil { cache[step] = Self.logRatio(values[j], step: Double(step)) }
                scores[q] += cache[step]!
            }
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let n = Double(origins.count)
        return Finding(quality: order[0] + 1, ratioPerBlock: scores[order[0]] / n,
                       marginPerBlock: (scores[order[0]] - scores[order[1]]) / n, offset: offset)
    }

    /// Σ log p(y | quantised with `step`) − log p(y | not quantised) over `values`.
    private static func logRatio(_ values: [Double], step: Double) -> Double {
        let scale = max(values.reduce(0) { $0 + abs($1) } / Double(values.count), 0.5)
        let variance = roundingSigma * roundingSigma
        // log of (1 − ε) · N(0; 0, variance) · 2·scale: the inlier density over the Laplacian's normaliser.
        let inlier = log(1 - outlierShare) - 0.5 * log(2 * Double.pi * variance) + log(2 * scale)
        let top = Int((values.reduce(0) { max($0, abs($1)) } / step).rounded()) + 1
        // log P(|level| = a) of the Laplacian quantised with `step`.
        let logMass = (0 ... top).map { a -> Double in
            let k = Double(a)
            let mass = a == 0 ? 1 - exp(-step / (2 * scale))
                : 0.5 * (exp(-(k - 0.5) * step / scale) - exp(-(k + 0.5) * step / scale))
            return log(max(mass, 1e-300))
        }
        let logOutlier = log(outlierShare)
        var sum = 0.0
        for y in values {
            let level = (y / step).rounded()
            let r = y - level * step
            // d = log of the quantised inlier density over the unquantised density.
            let d = inlier + logMass[Int(abs(level))] - r * r / (2 * variance) + abs(y) / scale
            // log(e^d + ε), without the transcendentals where one term dwarfs the other.
            if d > logOutlier + 12 {
                sum += d
            } else if d < logOutlier - 12 {
                sum += logOutlier
            } else {
                sum += log(exp(d) + outlierShare)
            }
        }
        return sum
    }

    /// The grid offset whose block boundaries show the largest luma steps
    /// (column x starts a block when x ≡ offset mod 8).
    static func blockEdgeOffset(_ planes: AnalysisPlanes) -> (x: Int, y: Int) {
        let (w, h) = (planes.width, planes.height)
        var across = [Double](repeating: 0, count: 8), down = [Double](repeating: 0, count: 8)
        planes.luma255.withUnsafeBufferPointer { y in
            for row in 1 ..< h {
                let line = y.baseAddress! + row * w, above = line - w
                for x in 1 ..< w {
                    across[x % 8] += Double(abs(line[x] - line[x - 1]))
                    down[row % 8] += Double(abs(line[x] - above[x]))
                }
            }
        }
        func strongest(_ sums: [Double]) -> Int { sums.indices.max { sums[$0] < sums[$1] }! }
        return (strongest(across), strongest(down))
    }
}
