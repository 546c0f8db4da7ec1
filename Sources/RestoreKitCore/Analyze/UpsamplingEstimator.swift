#if canImport(Glibc)
import Glibc
#endif

/// Whether an image was enlarged from a smaller one, and by how much.
///
/// Interpolation repeats itself: enlarging by P/Q places the output samples at
/// P different phases between the input samples, so the size of neighbouring
/// differences varies with period P along rows and columns, whatever the
/// picture (Popescu and Farid's resampling traces). The mean |difference| of
/// each column position (and of each row position) is a profile whose
/// spectrum then shows a peak at frequency 1/P far above its median level. The
/// period gives P; Q comes from the image's bandwidth: among the factors P/Q,
/// the largest one the image survives (a shrink by it and an enlargement back
/// change it little) is the factor. Across JPEG block boundaries the
/// differences are left out, since blocking has a period of its own.
struct UpsamplingEstimator {
    /// Periods tried (factors up to 6, and 1.2–6 between).
    static let periods = 2 ... 6
    /// A peak this many times the median spectral level in both directions
    /// counts as interpolation; pure noise exceeds it with probability about 1e-3.
    static let prominence = 10.0
    /// A factor fits the bandwidth when a shrink–enlarge round trip by it
    /// leaves at most this multiple of the residual of the smallest candidate:
    /// bicubic round trips are not lossless, so a true ×3 enlargement leaves
    /// about 11 times the ×1.5 residual, while a true ×1.5 one loses real
    /// detail to a ×3 round trip.
    static let bandwidthTolerance = 30.0

    func estimate(_ planes: AnalysisPlanes, jpegOffset: (x: Int, y: Int)?) -> UpsamplingEstimate {
        let native = UpsamplingEstimate(factor: 1, confidence: 0)
        let (w, h) = (planes.width, planes.height)
        guard w >= 32, h >= 32 else { return native }
        let (across, down) = profiles(planes.luma255, width: w, height: h, jpegOffset: jpegOffset)
        let spectra = (ProfileSpectrum(across), ProfileSpectrum(down))
        let strengths = Self.periods.map { (period: $0, strength: min(spectra.0.peak($0), spectra.1.peak($0))) }
        let strongest = strengths.max { $0.strength < $1.strength }!
        guard strongest.strength >= Self.prominence else {
            // Confidence in "not enlarged": how far the strongest peak stays below the bar.
            return UpsamplingEstimate(factor: 1, confidence: max(0, 1 - strongest.strength / Self.prominence))
        }
        let factor = bandwidthFactor(planes, period: strongest.period)
        let confidence = min(1, log10(strongest.strength) / 3)
        return UpsamplingEstimate(factor: factor, confidence: confidence)
    }

    /// Mean |difference| to the next sample, for each column position (across)
    /// and each row position (down), with block-boundary differences replaced
    /// by the profile's mean.
    private func profiles(_ luma: [Float], width w: Int, height h: Int,
                          jpegOffset: (x: Int, y: Int)?) -> ([Double], [Double]) {
        var across = [Double](repeating: 0, count: w - 1), down = [Double](repeating: 0, count: h - 1)
        luma.withUnsafeBufferPointer { y in
            for row in 0 ..< h {
                let line = y.baseAddress! + row * w
                for x in 0 ..< w - 1 { across[x] += Double(abs(line[x + 1] - line[x])) }
                if row < h - 1 {
                    var sum = 0.0
                    for x in 0 ..< w { sum += Double(abs(line[x + w] - line[x])) }
                    down[row] = sum
                }
            }
        }
        func cleaned(_ profile: [Double], boundary: Int?) -> [Double] {
            guard let boundary else { return profile }
            // Difference i spans samples i and i + 1: a boundary when i + 1 ≡ offset (mod 8).
            let inside = profile.indices.filter { ($0 + 1 - boundary) % 8 != 0 }
            let mean = inside.reduce(0) { $0 + profile[$1] } / Double(max(inside.count, 1))
            return profile.indices.map { ($0 + 1 - boundary) % 8 == 0 ? mean : profile[$0] }
        }
        return (cleaned(across, boundary: jpegOffset.map { $0.x + 8 }),
                cleaned(down, boundary: jpegOffset.map { $0.y + 8 }))
    }

    /// A profile's spectrum: the power at 1/period relative to the median
    /// power of frequencies away from every period's harmonics.
    private struct ProfileSpectrum {
        let centred: [Double]
        let level: Double

        init(_ profile: [Double]) {
            let mean = profile.reduce(0, +) / Double(profile.count)
            centred = profile.map { $0 - mean }
            let harmonics = (2 ... 8).flatMap { p in (1 ... p / 2).map { Double($0) / Double(p) } }
            let spacing = 2.0 / Double(profile.count)
            let centred = centred
            let background = (0 ..< 48).map { 0.03 + 0.46 * Double($0) / 47 }
                .filter { f in harmonics.allSatisfy { abs($0 - f) > spacing } }
                .map { Self.power(centred, $0) }.sorted()
            level = max(background[background.count / 2], 1e-30)
        }

        func peak(_ period: Int) -> Double { Self.power(centred, 1 / Double(period)) / level }

        private static func power(_ values: [Double], _ f: Double) -> Double {
            var re = 0.0, im = 0.0
            for (x, v) in values.enumerated() {
                let angle = 2 * Double.pi * f * Double(x)
                re += v * cos(angle)
                im -= v * sin(angle)
            }
            return (re * re + im * im) / Double(values.count)
        }
    }

    /// The largest factor P/Q (Q < P, no common divisor, at least 1.2) whose
    /// shrink–enlarge round trip leaves little more than the smallest one's.
    private func bandwidthFactor(_ planes: AnalysisPlanes, period: Int) -> Double {
        let candidates = (1 ..< period).filter { gcd(period, $0) == 1 }
            .map { Double(period) / Double($0) }.filter { $0 >= 1.2 }.sorted()
        guard candidates.count > 1,
              let luma = try? Image(width: planes.width, height: planes.height, layout: .gray,
                                    samples: planes.luma255.map { $0 / 255 }) else { return candidates.last ?? 1 }
        let residuals = candidates.map { factor -> Double in
            guard let small = try? luma.resized(scale: 1 / factor, filter: .bicubic),
                  let back = try? small.resized(width: luma.width, height: luma.height, filter: .bicubic)
            else { return .infinity }
            var sum = 0.0
            for i in 0 ..< luma.samples.count {
                let d = Double(luma.samples[i] - back.samples[i])
                sum += d * d
            }
            return sum
        }
        let floor = max(residuals[0], 1e-12)
        return candidates.indices.last { residuals[$0] <= Self.bandwidthTolerance * floor }.map { candidates[$0] }
            ?? candidates[0]
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
