/// The fitted constants that turn the estimators' raw measurements into the
/// strengths a restoration prompt states.
///
/// The raw measurements carry systematic offsets the models do not capture:
/// what photographs' own edges and grain add, the selection of flat blocks,
/// the lower-half rule. `fitted` holds the values fitted on BSDS500-train
/// (200 photographs, disjoint from the test sets the benchmark reports on)
/// with SPIRE-style degradations of fixed seeds, by
///
///     bench/analyze.sh --calibrate
///
/// (`rkbench analyze --calibrate`), which prints this initialiser; `raw`
/// leaves the measurements as they are, for that fit.
public struct AnalysisCalibration: Sendable, Equatable {
    /// Noise without JPEG: σ = √(max(0, (noiseGain·raw)² − noiseFloor²)).
    public var noiseGain: Double
    /// The grain of clean photographs, removed in quadrature.
    public var noiseFloor: Double
    /// Noise measured through JPEG quantisation: σ = jpegNoiseGain·raw.
    public var jpegNoiseGain: Double
    /// Blur: σ = √(max(0, blurGain·w² − blurIntrinsic − blurSmoothingShare·s²))
    /// for measured edge width w after smoothing of σ s.
    public var blurGain: Double
    /// What in-focus edges of photographs measure on their own, px².
    public var blurIntrinsic: Double
    /// How much of the noise smoothing's σ² the measured widths carry (below
    /// 1: neighbouring edges, merged by the smoothing, fit narrower).
    public var blurSmoothingShare: Double

    public init(noiseGain: Double, noiseFloor: Double, jpegNoiseGain: Double,
                blurGain: Double, blurIntrinsic: Double, blurSmoothingShare: Double) {
        self.noiseGain = noiseGain
        self.noiseFloor = noiseFloor
        self.jpegNoiseGain = jpegNoiseGain
        self.blurGain = blurGain
        self.blurIntrinsic = blurIntrinsic
        self.blurSmoothingShare = blurSmoothingShare
    }

    /// The measurements as the estimators make them (blur: the measured edge
    /// width itself, smoothing included).
    public static let raw = AnalysisCalibration(noiseGain: 1, noiseFloor: 0, jpegNoiseGain: 1,
                                                blurGain: 1, blurIntrinsic: 0, blurSmoothingShare: 0)

    /// Fitted on BSDS500-train by `bench/analyze.sh --calibrate`.
    public static let fitted = AnalysisCalibration(noiseGain: 1.0165, noiseFloor: 0.0026, jpegNoiseGain: 1.0345,
                                                   blurGain: 1.1700, blurIntrinsic: 0.3400, blurSmoothingShare: 1.0500)
}
