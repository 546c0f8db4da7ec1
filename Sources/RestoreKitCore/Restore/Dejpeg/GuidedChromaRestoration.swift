/// Restoration of a chroma plane at its stored resolution, led by the
/// restored luma: alternately fit the chroma locally as a linear function of
/// the luma (guided filter) and project the fit onto the chroma quantisation
/// constraint.
///
/// At the qualities where artefacts matter, JPEG keeps little more than each
/// chroma block's mean: chroma comes out blocky and its edges smeared over
/// 16×16 pixels, while the luma keeps the edges. Colour edges mostly coincide
/// with luma edges, so the guided filter redraws them; the projection keeps
/// only what agrees with the stored chroma levels. This beats the luma's DCT
/// shrinkage applied to chroma, and shrinking before the guided filter gains
/// nothing (see bench/NOTES.md).
struct GuidedChromaRestoration {
    /// The chroma plane's 64 quantisation steps, natural order.
    let steps: [UInt16]

    /// Guided-filter window radius (3×3 windows) in stored samples; wider
    /// windows help only at the lowest qualities (see bench/NOTES.md).
    static let radius = 1
    /// Ridge penalty of the guided filter on the 0–255 scale (variance units):
    /// small, so the fit follows any luma structure.
    static let epsilon: Float = 5
    /// Filter-and-project rounds: fewer lose at low quality, more gain little
    /// there, lose at higher qualities and need a larger halo (see
    /// bench/NOTES.md).
    static let rounds = 3
    /// How far (in stored samples) a result sample depends on the plane and
    /// the guide: each round reaches 2 radii (two box means) plus a block.
    static let reach = rounds * (2 * radius + 7)

    /// The restored `observed` chroma plane (stored resolution, top-left on the
    /// block grid), given `guide`, the restored luma at the same resolution.
    func apply(to observed: JPEGPlane, guide: JPEGPlane, context: RestorationContext) throws -> JPEGPlane {
        let constraint = QuantizationConstraint(observed: observed, steps: steps, threads: context.threads)
        var estimate = observed
        for round in 0 ..< Self.rounds {
            estimate = GuidedFilter.apply(estimate, guide: guide, radius: Self.radius, epsilon: Self.epsilon)
            constraint.project(&estimate, threads: context.threads)
            try context.report(Double(round + 1) / Double(Self.rounds))
        }
        return estimate
    }
}
