/// Whether an image was enlarged from a smaller one, as `DegradationAnalyzer`
/// determined it.
public struct UpsamplingEstimate: Sendable, Equatable {
    /// The factor it was enlarged by (1: not enlarged). Enlargement leaves no
    /// detail above 1/factor of the finest the pixel grid can hold.
    public var factor: Double
    /// 0–1: how clearly the interpolation pattern showed.
    public var confidence: Double
}
