/// How much additive noise an image carries, as `DegradationAnalyzer` measured it.
public struct NoiseEstimate: Sendable, Equatable {
    /// The noise σ at one brightness: flat blocks of about that mean sample
    /// value (0–1) show noise of standard deviation `sigma`.
    public struct Level: Sendable, Equatable {
        /// Mean sample value of the blocks measured, 0–1.
        public var brightness: Double
        /// Noise standard deviation at that brightness, image units.
        public var sigma: Double
    }

    /// Standard deviation of the noise in each colour channel, in image units
    /// (samples in [0, 1]): the number "Denoise with sigma N" states. When the
    /// image is a JPEG this is the noise before compression.
    public var sigma: Double
    /// 0–1: 1 when many flat blocks agreed on `sigma`, lower when the image
    /// had few flat areas or its texture could pass for noise.
    public var confidence: Double
    /// The noise σ from dark to bright (up to four brightness bands); empty
    /// when too few flat blocks were found to split them.
    public var byBrightness: [Level]
    /// True when the noise clearly grows or shrinks with brightness (shot
    /// noise, a camera's raw noise) instead of being the same everywhere.
    public var signalDependent: Bool
    /// The grain's size in pixels (`NoiseProfile.grain`): 1 for white noise,
    /// about 2 for a camera's demosaiced noise.
    public var grain: Double

    /// An estimate with the given parts (see the properties); white noise by default.
    public init(sigma: Double, confidence: Double, byBrightness: [Level], signalDependent: Bool, grain: Double = 1) {
        self.sigma = sigma
        self.confidence = confidence
        self.byBrightness = byBrightness
        self.signalDependent = signalDependent
        self.grain = grain
    }
}

extension NoiseEstimate {
    /// Grain from this size up is stated and the correlated estimate used.
    public static let grainThreshold = 1.5

    /// This white-noise estimate, or where `finding` shows clearly grainy
    /// noise worth stating, the grainy one: the white model measures the
    /// noise's high frequencies only, so `finding`'s σ replaces its σ where it
    /// is larger (or it found no flat blocks). Brightness bands scale with σ;
    /// confidence comes from the fit's blocks. Not for JPEG-compressed
    /// images: quantisation correlates white noise too (see bench/NOTES.md).
    func correlated(_ finding: CorrelatedNoiseEstimator.Finding?) -> NoiseEstimate {
        guard let finding, finding.grain >= Self.grainThreshold, finding.sigma > sigma,
              finding.sigma >= DegradationAnalysis.noiseThreshold else { return self }
        let grainy = finding.sigma
        let ratio = sigma > 0 ? grainy / sigma : 1
        let bands = byBrightness.map { Level(brightness: $0.brightness, sigma: $0.sigma * ratio) }
        return NoiseEstimate(sigma: grainy, confidence: min(1, Double(finding.blocks) / NoiseEstimator.confidentBlocks),
                             byBrightness: bands,
                             signalDependent: signalDependent, grain: finding.grain)
    }

    /// What the estimators return when they cannot measure (image too small,
    /// too few unclipped or flat blocks): σ 0 with confidence 0.
    static let unmeasured = NoiseEstimate(sigma: 0, confidence: 0, byBrightness: [], signalDependent: false)
}
