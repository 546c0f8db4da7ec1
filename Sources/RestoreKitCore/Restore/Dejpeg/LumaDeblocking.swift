#if canImport(Glibc)
import Glibc
#endif

/// Deblocking of a luma (or gray) plane: JPEG's error treated as noise of a
/// strength the quantisation steps predict, removed by translation-invariant
/// DCT shrinkage in two steps, each followed by projection onto the
/// quantisation constraint (POCS).
///
/// 1. Hard thresholding at `thresholdFactor`·σ over all 64 shifts of the 8×8
///    grid, then projection: a pilot estimate.
/// 2. Empirical Wiener filtering of the observed plane with the pilot's
///    spectrum and noise variance `wienerVarianceFactor`·σ², then projection.
///
/// σ follows the empirical rule of Foi, Katkovnik and Egiazarian's SA-DCT
/// deblocking: σ = 1.15 q̄^0.65, q̄ the mean of the nine lowest-frequency
/// steps (the 3×3 top-left corner of the table). It depends only on the
/// table, so file tables and IJG tables are treated alike. Here too it is
/// about right: scaled up or down it loses on LIVE1 (see bench/NOTES.md).
struct LumaDeblocking {
    /// The plane's 64 quantisation steps, natural order.
    let steps: [UInt16]

    /// Threshold in units of σ; 2.7 as in BM3D (LIVE1 hardly depends on it
    /// nearby; see bench/NOTES.md).
    static let thresholdFactor: Float = 2.7
    /// The Wiener step's noise variance in units of σ²: below 1, since the
    /// projected pilot already removed part of the error (see bench/NOTES.md).
    static let wienerVarianceFactor: Float = 0.7
    /// How far (in pixels) a sample of the result depends on the input: four
    /// steps (two filters, two projections) of 7 pixels each.
    static let reach = 28

    /// The noise level σ (0–255 scale) that the steps predict.
    var sigma: Float {
        let corner = [0, 1, 2, 8, 9, 10, 16, 17, 18].map { Double(steps[$0]) }.reduce(0, +) / 9
        return Float(1.15 * pow(corner, 0.65))
    }

    /// The deblocked `observed` plane, whose top-left corner lies on the block grid.
    func apply(to observed: JPEGPlane, context: RestorationContext) throws -> JPEGPlane {
        let threads = context.threads
        let constraint = QuantizationConstraint(observed: observed, steps: steps, threads: threads)
        let sigma = self.sigma
        var pilot = try SlidingDCTShrinkage(rule: .hardThreshold(threshold: Self.thresholdFactor * sigma))
            .apply(to: observed, context: context.scoped(0, 0.4))
        constraint.project(&pilot, threads: threads)
        try context.report(0.45)
        let variance = Self.wienerVarianceFactor * sigma * sigma
        var estimate = try SlidingDCTShrinkage(rule: .wiener(pilot: pilot, variance: variance))
            .apply(to: observed, context: context.scoped(0.45, 0.95))
        constraint.project(&estimate, threads: threads)
        try context.report(1)
        return estimate
    }
}
