/// How blurred an image is, as `DegradationAnalyzer` measured it.
public struct BlurEstimate: Sendable, Equatable {
    /// Standard deviation of the Gaussian blur, in pixels: the number
    /// "Deblur with sigma S" states; 0 when edges are as sharp as in-focus
    /// photographs' usually are.
    public var sigma: Double
    /// 0–1: 1 when many clean step edges agreed, lower when the image had
    /// few edges that fit a blurred step.
    public var confidence: Double
    /// The step edges whose profiles were measured.
    public var edges: Int
    /// The Gaussian smoothing (σ, pixels) applied before measuring because
    /// of noise; the measured edge widths include it.
    public var smoothing: Double
}
