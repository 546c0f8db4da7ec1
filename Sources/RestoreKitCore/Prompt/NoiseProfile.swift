/// How the noise a "Denoise" clause removes departs from white noise of one σ:
/// its σ changes with brightness (a camera's shot and read noise after the tone
/// curve), and it may come in grains wider than a pixel (demosaicing, film
/// grain, sharpening).
///
///     Denoise with sigma 0.05 in shadows, 0.04 in midtones, 0.02 in highlights, grain 2
///
/// σ between the stated tones is interpolated linearly in the sample value and
/// held beyond the outermost ones; each colour channel reads it at its own local
/// level. A profile states at least two tones, or a grain, or both.
public struct NoiseProfile: Equatable, Sendable {
    /// A brightness at which the prompt can state σ.
    public enum Tone: Int, CaseIterable, Sendable {
        case shadows, midtones, highlights

        /// The sample value (0–1) at which the tone's σ holds.
        public var level: Double {
            switch self {
            case .shadows: return 0.15
            case .midtones: return 0.5
            case .highlights: return 0.85
            }
        }

        /// The word the prompt uses.
        public var word: String {
            switch self {
            case .shadows: return "shadows"
            case .midtones: return "midtones"
            case .highlights: return "highlights"
            }
        }
    }

    /// Grain sizes a prompt may state, in pixels.
    public static let grainRange = 1.0 ... 8.0

    /// σ (image units, 0–1) at each stated tone; empty when σ is the same at
    /// every brightness (the clause's own σ).
    public var tones: [Tone: Double]
    /// The grain's size in pixels: the side of the blocks over which the
    /// noise is correlated, so that it is white when sampled this far apart
    /// (1: white noise). Its square is the noise's correlation area, the sum of
    /// its autocorrelation coefficients over all shifts.
    public var grain: Double

    /// A profile with σ at `tones` and grains of `grain` pixels.
    public init(tones: [Tone: Double] = [:], grain: Double = 1) {
        self.tones = tones
        self.grain = grain
    }

    /// The profile a measurement states: σ to 0.001 at each of `tones` on the
    /// piecewise-linear curve through `points` (level, σ), ascending in level,
    /// and `grain` to 0.1 within `grainRange`.
    init(measured points: [(level: Double, sigma: Double)], at tones: [Tone], grain: Double) {
        var stated: [Tone: Double] = [:]
        for tone in tones { stated[tone] = (Self.interpolate(points, at: tone.level) * 1000).rounded() / 1000 }
        let rounded = (grain * 10).rounded() / 10
        self.init(tones: stated, grain: min(max(rounded, Self.grainRange.lowerBound), Self.grainRange.upperBound))
    }

    /// σ at sample value `level`, where the clause's single σ is `uniform`:
    /// the stated tones interpolated, or `uniform` when none are stated.
    public func sigma(at level: Double, uniform: Double) -> Double {
        let stated = Tone.allCases.compactMap { tone in tones[tone].map { (tone.level, $0) } }
        return stated.isEmpty ? uniform : Self.interpolate(stated, at: level)
    }

    /// The piecewise-linear curve through `points` (level, σ), ascending in
    /// level and not empty, at `level`; held flat beyond the first and last.
    static func interpolate(_ points: [(level: Double, sigma: Double)], at level: Double) -> Double {
        if level <= points[0].level { return points[0].sigma }
        for (a, b) in zip(points, points.dropFirst()) where level <= b.level {
            return a.sigma + (b.sigma - a.sigma) * (level - a.level) / (b.level - a.level)
        }
        return points[points.count - 1].sigma
    }

    /// The σ the clause states as one number: σ at mid-grey (what restorers
    /// that take one σ use).
    public func midGreySigma(uniform: Double) -> Double { sigma(at: 0.5, uniform: uniform) }

    /// The largest σ at any brightness.
    public func maximumSigma(uniform: Double) -> Double { tones.values.max() ?? uniform }

    /// The clause's text after "Denoise with sigma" for a uniform σ of `uniform`:
    /// "0.05, grain 2", "0.05 in shadows, 0.03 in highlights".
    func canonicalText(uniform: Double) -> String {
        var text = tones.isEmpty ? uniform.plainDecimalDescription
            : Tone.allCases.compactMap { tone in
                tones[tone].map { "\($0.plainDecimalDescription) in \(tone.word)" }
            }.joined(separator: ", ")
        if grain != 1 {
            let number = grain.plainDecimalDescription
            text += ", grain " + (number.hasSuffix(".0") ? String(number.dropLast(2)) : number)
        }
        return text
    }
}
