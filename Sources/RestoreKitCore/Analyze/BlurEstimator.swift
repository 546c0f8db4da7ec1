#if canImport(Glibc)
import Glibc
#endif

/// The σ of a Gaussian blur over the whole image, from the widths of its
/// cleanest step edges.
///
/// Edge points are the strongest gradient maxima (`EdgePoints`); each one's
/// profile is fitted with a blurred step (`EdgeProfileFit`) and kept when it
/// fits to within 3 % of its step height (or 1.5 noise σ) and the step is at
/// least 0.05 high. Blur widens every edge, but the scene's own edges vary:
/// out-of-focus ones are wider, in-focus ones show the added blur. The raw
/// width is therefore a low quantile (30 %, weighted by step height) of the
/// kept widths, and the calibration removes what in-focus edges of
/// photographs add on their own (optics, the camera's and the JPEG's
/// smoothing, the pixel's area).
struct BlurEstimator {
    /// Share of gradient maxima examined (the strongest).
    static let share = 0.08
    /// At most this many edge points are fitted.
    static let maxEdges = 4000
    /// Residual allowed, relative to the step height.
    static let relativeResidual = 0.03
    /// Smallest step height considered, luma units (0–1).
    static let minimumContrast = 0.05
    /// The quantile of kept widths taken as the raw blur.
    static let quantile = 0.3
    /// Kept edges for full confidence.
    static let confidentEdges = 100.0
    /// Smoothing σ (px) per unit of luma noise σ, and its cap.
    static let smoothingPerNoise = 30.0
    static let maxSmoothing = 1.5

    /// The fitted calibration: σ = √(max(0, gain·w² − intrinsic − smoothingShare·s²)).
    let gain: Double
    let intrinsic: Double
    let smoothingShare: Double

    /// The blur of `planes`, whose luma carries noise of `noiseSigma` (luma units, 0–1).
    func estimate(_ planes: AnalysisPlanes, noiseSigma: Double) -> BlurEstimate {
        let (w, h) = (planes.width, planes.height)
        var luma = planes.luma255.map { $0 / 255 }
        // Noisy profiles fit loosely and their widths scatter low; smoothing
        // first (and taking its σ back out in quadrature) keeps them tight.
        let wanted = min(Self.maxSmoothing, Self.smoothingPerNoise * noiseSigma)
        let smoothing = wanted >= 0.3 ? wanted : 0
        var residualNoise = noiseSigma
        if smoothing > 0 {
            let kernel = Self.gaussian(smoothing)
            let source = luma
            source.withUnsafeBufferPointer { src in
                luma.withUnsafeMutableBufferPointer {
                    Convolution.separable(src, $0, width: w, height: h, horizontal: kernel, vertical: kernel)
                }
            }
            // White noise through a 2-D Gaussian of σ keeps 1/(2√π σ) of its σ.
            residualNoise *= min(1, 1 / (2 * Double.pi.squareRoot() * smoothing))
        }
        let edges = EdgePoints(luma, width: w, height: h, share: Self.share,
                               minimumStrength: Float(6 * EdgePoints.derivativeNoiseGain * residualNoise),
                               limit: Self.maxEdges)
        let fitter = EdgeProfileFit()
        let fits = luma.withUnsafeBufferPointer { plane in
            edges.points.map { fitter.fit(plane, width: w, height: h, at: $0) }
        }
        let tall = fits.filter { $0.contrast >= Self.minimumContrast }
        let clean = tall.filter { $0.residual <= max(Self.relativeResidual * $0.contrast, 1.5 * residualNoise) }
        // Without clean steps (heavy noise, no edges) the tall ones still say something.
        let used = clean.count >= 10 ? clean : tall
        guard !used.isEmpty else { return BlurEstimate(sigma: 0, confidence: 0, edges: 0, smoothing: smoothing) }
        let width = Self.weightedQuantile(used.map { ($0.width, $0.contrast) }, Self.quantile)
        let sigma = max(0, gain * width * width - intrinsic - smoothingShare * smoothing * smoothing).squareRoot()
        let confidence = min(1, Double(clean.count) / Self.confidentEdges) * (clean.count >= 10 ? 1 : 0.3)
        return BlurEstimate(sigma: sigma, confidence: confidence, edges: used.count, smoothing: smoothing)
    }

    /// A normalised Gaussian of `sigma` pixels, out to 3σ.
    static func gaussian(_ sigma: Double) -> [Float] {
        let radius = Int((3 * sigma).rounded(.up))
        let taps = (-radius ... radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = taps.reduce(0, +)
        return taps.map { Float($0 / sum) }
    }

    /// The value below which `q` of the total weight lies.
    static func weightedQuantile(_ items: [(value: Double, weight: Double)], _ q: Double) -> Double {
        let sorted = items.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.weight }
        var running = 0.0
        for item in sorted {
            running += item.weight
            if running >= q * total { return item.value }
        }
        return sorted.last!.value
    }
}
