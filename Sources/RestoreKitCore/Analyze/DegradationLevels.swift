/// DaLPSR's degradation prompt: for blur, noise and JPEG, which of four
/// degree levels the image shows (SEEDS.md §2; their learned classifier is
/// right 63–69 % of the time).
public struct DegradationLevels: Sendable, Equatable, CustomStringConvertible {
    /// Blur level (σ 0.2–0.9, –1.6, –2.3, –3.0 px).
    public var blur: DegreeLevel
    /// Noise level (σ 0–0.03, –0.06, –0.09, –0.12).
    public var noise: DegreeLevel
    /// JPEG level (quality 92–76.5, –61, –45.5, –30).
    public var jpeg: DegreeLevel

    /// The levels of a blur σ, a noise σ and a JPEG quality (nil: none).
    public init(blurSigma: Double, noiseSigma: Double, jpegQuality: Int?) {
        blur = DegreeLevel(degree: RestorationClause.deblur.degree(forValue: blurSigma))
        noise = DegreeLevel(degree: RestorationClause.denoise.degree(forValue: noiseSigma))
        jpeg = DegreeLevel(degree: jpegQuality.map { RestorationClause.dejpeg.degree(forValue: Double($0)) } ?? 0)
    }

    /// DaLPSR's text, e.g. "Deblur with sigma 0.5 ~ 0.75, Denoise with sigma
    /// 0.25 ~ 0.5, Dejpeg with sigma 0 ~ 0.25"; the restoration-prompt parser
    /// reads it back (each interval as its midpoint's strength).
    public var description: String {
        "Deblur with sigma \(blur.interval), Denoise with sigma \(noise.interval), Dejpeg with sigma \(jpeg.interval)"
    }
}
