extension RestorationClause {
    /// DaLPSR's normalised degree of a physical parameter, the inverse of
    /// `value(forDegree:)`: linear over SPIRE's trained range, clamped to
    /// [0, 1] (a blur sharper than 0.2 px or a quality above 92 is degree 0,
    /// as is no degradation at all). Heavier JPEG compression is a lower
    /// quality and a higher degree.
    public func degree(forValue value: Double) -> Double {
        let range = trainedRange
        let span = range.upperBound - range.lowerBound
        let raw: Double
        switch self {
        case .deblur, .upsample, .denoise: raw = (value - range.lowerBound) / span
        case .dejpeg: raw = (range.upperBound - value) / span
        }
        // Rounded so that interval ends (σ 1.6 is 0.5, not 0.5000000000000001) land in the lower level.
        let d = (raw * 1e9).rounded() / 1e9
        return d >= 0 ? min(d, 1) : 0
    }
}

/// DaLPSR's four degree levels of one degradation: the intervals [0, 0.25],
/// (0.25, 0.5], (0.5, 0.75] and (0.75, 1] of the normalised degree.
public enum DegreeLevel: Int, CaseIterable, Sendable, Comparable {
    case light = 0, moderate, heavy, severe

    /// The level of normalised degree `degree` (0 to 1).
    public init(degree: Double) {
        switch degree {
        case ...0.25: self = .light
        case ...0.5: self = .moderate
        case ...0.75: self = .heavy
        default: self = .severe
        }
    }

    /// The level's interval as DaLPSR writes it: "0 ~ 0.25", "0.25 ~ 0.5", …
    public var interval: String {
        ["0 ~ 0.25", "0.25 ~ 0.5", "0.5 ~ 0.75", "0.75 ~ 1"][rawValue]
    }

    public static func < (a: DegreeLevel, b: DegreeLevel) -> Bool { a.rawValue < b.rawValue }
}
