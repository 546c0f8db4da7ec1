/// Estimates from an image's pixels what damaged it (noise, Gaussian blur,
/// JPEG compression, an earlier enlargement) and writes the restoration
/// prompt that removes it: DaLPSR's idea with calibrated estimators instead of
/// a learned classifier, giving numbers instead of bins.
///
///     let decoded = try ImageFile.read("photo.jpg")
///     let analysis = DegradationAnalyzer().analyze(decoded.image, jpeg: decoded.jpeg)
///     print(analysis.prompt)            // Deblur with sigma 1.2, Denoise with sigma 0.031, Dejpeg with quality 55
///     print(analysis.qualitySentence)   // blurry, noticeable noise, visible JPEG blocking
///
/// JPEG quality is read from the file's quantisation tables when there are
/// any, else from the lattice of the pixels' DCT coefficients
/// (`JPEGQualityEstimator`); noise through the JPEG quantiser when the image
/// was compressed (`QuantizedNoiseEstimator`), else from weak-texture blocks
/// (`NoiseEstimator`, or `CorrelatedNoiseEstimator` where the noise comes in
/// grains, as a camera's does); blur from the profiles of clean step edges
/// (`BlurEstimator`); enlargement from interpolation's periodic traces
/// (`UpsamplingEstimator`).
///
/// The whole image is analysed at once (about 0.2 s per megapixel on two
/// cores). An analyser is a value; it may be used from several threads.
public struct DegradationAnalyzer: Sendable {
    /// The constants that turn raw measurements into prompt strengths.
    public var calibration: AnalysisCalibration

    /// An analyser with `calibration` (by default the fitted one).
    public init(calibration: AnalysisCalibration = .fitted) {
        self.calibration = calibration
    }

    /// Analyses `image` (any layout; alpha is ignored, linear images are
    /// measured in sRGB encoding). `jpeg` is what the decoder reported when the
    /// image came from a JPEG file: its quantisation tables give the quality
    /// exactly.
    public func analyze(_ image: Image, jpeg: JPEGInfo?) -> DegradationAnalysis {
        analyze(image, jpegTables: jpeg.flatMap { JPEGTables($0) })
    }

    /// Analyses `image`; `jpegTables` are the tables of the JPEG file it was
    /// decoded from, if any.
    public func analyze(_ image: Image, jpegTables: JPEGTables? = nil) -> DegradationAnalysis {
        let planes = AnalysisPlanes(image)
        var jpeg = JPEGEstimate(quality: nil, confidence: 0, source: nil, exact: false, gridOffset: nil)
        var lumaTable: [UInt16]?
        if let jpegTables {
            let (quality, exact) = jpegTables.ijgQuality
            jpeg = JPEGEstimate(quality: quality, confidence: exact ? 1 : 0.8, source: .fileTables,
                                exact: exact, gridOffset: (0, 0))
            lumaTable = jpegTables.luma
        } else if let finding = JPEGQualityEstimator().estimate(planes) {
            let threshold = JPEGQualityEstimator.presenceThreshold
            // Presence: the ratio per block well above the threshold; quality: a clear margin.
            let presence = min(1, max(0, (finding.ratioPerBlock + threshold) / (4 * threshold)))
            if finding.ratioPerBlock >= threshold {
                jpeg = JPEGEstimate(quality: finding.quality,
                                    confidence: presence * min(1, finding.marginPerBlock / 0.05),
                                    source: .pixels, exact: false, gridOffset: finding.offset)
                lumaTable = JPEGTables.ijg(quality: finding.quality).luma
            } else {
                jpeg.confidence = 1 - presence
            }
        }

        let white: NoiseEstimate, noise: NoiseEstimate
        if let lumaTable, let offset = jpeg.gridOffset {
            white = QuantizedNoiseEstimator(gain: calibration.jpegNoiseGain)
                .estimate(planes, table: lumaTable, offset: offset)
            noise = white
        } else {
            white = NoiseEstimator(gain: calibration.noiseGain, floor: calibration.noiseFloor).estimate(planes)
            noise = white.correlated(CorrelatedNoiseEstimator().estimate(planes))
        }
        // The blur calibration was fitted with the white models' σ (what smooths the edges it fits).
        let lumaNoise = white.sigma * (planes.channels == 3 ? QuantizedNoiseEstimator.colorNoiseLumaGain : 1)
        let blur = BlurEstimator(gain: calibration.blurGain, intrinsic: calibration.blurIntrinsic,
                                 smoothingShare: calibration.blurSmoothingShare)
            .estimate(planes, noiseSigma: lumaNoise)
        let upsampling = UpsamplingEstimator().estimate(planes, jpegOffset: jpeg.gridOffset)
        return DegradationAnalysis(noise: noise, blur: blur, jpeg: jpeg, upsampling: upsampling)
    }
}
