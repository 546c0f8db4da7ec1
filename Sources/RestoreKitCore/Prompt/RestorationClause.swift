/// The four clauses of a restoration prompt that carry a number, in the
/// canonical order (SPIRE's order of the degradations: blur, downsampling,
/// noise, JPEG).
///
/// | clause   | parameter                 | valid range        | SPIRE trained |
/// |----------|---------------------------|--------------------|---------------|
/// | deblur   | Gaussian blur σ, pixels   | (0, 10]            | 0.2–3.0       |
/// | upsample | scale factor              | [1, 8]             | 1–7           |
/// | denoise  | noise σ, image units      | [0, 1]             | 0–0.12        |
/// | dejpeg   | IJG quality, whole number | 1–100              | 30–92         |
public enum RestorationClause: CaseIterable, Sendable {
    /// "Deblur with sigma S".
    case deblur
    /// "Upsample to F".
    case upsample
    /// "Denoise with sigma N".
    case denoise
    /// "Dejpeg with quality Q".
    case dejpeg

    /// The verb as the canonical form writes it: "Deblur", "Upsample", "Denoise", "Dejpeg".
    public var verb: String {
        switch self {
        case .deblur: return "Deblur"
        case .upsample: return "Upsample"
        case .denoise: return "Denoise"
        case .dejpeg: return "Dejpeg"
        }
    }

    /// Whether `value` is a valid parameter of this clause: blur σ in (0, 10]
    /// pixels, scale factor in [1, 8], noise σ in [0, 1], JPEG quality a whole
    /// number in 1–100. NaN and infinities are never valid.
    public func accepts(_ value: Double) -> Bool {
        switch self {
        case .deblur: return value > 0 && value <= 10
        case .upsample: return value >= 1 && value <= 8
        case .denoise: return value >= 0 && value <= 1
        case .dejpeg: return value >= 1 && value <= 100 && value.rounded() == value
        }
    }

    /// The valid range in words, as parse errors state it ("a blur sigma in (0, 10] pixels").
    public var validRangeDescription: String {
        switch self {
        case .deblur: return "a blur sigma in (0, 10] pixels"
        case .upsample: return "a scale factor in [1, 8]"
        case .denoise: return "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)"
        case .dejpeg: return "a whole-number JPEG quality in 1–100"
        }
    }

    /// The range SPIRE was trained on (Table 2 of the paper); values outside it
    /// are valid but less reliable for learned restorers.
    public var trainedRange: ClosedRange<Double> {
        switch self {
        case .deblur: return 0.2 ... 3.0
        case .upsample: return 1 ... 7
        case .denoise: return 0 ... 0.12
        case .dejpeg: return 30 ... 92
        }
    }

    /// The words that may introduce the number after the verb, the first one
    /// canonical: "sigma" (Deblur, Denoise), "to" or "by" (Upsample), "quality"
    /// or DaLPSR's "sigma" (Dejpeg; that "sigma" takes only a degree interval).
    var parameterWords: [String] {
        switch self {
        case .deblur, .denoise: return ["sigma"]
        case .upsample: return ["to", "by"]
        case .dejpeg: return ["quality", "sigma"]
        }
    }
}
