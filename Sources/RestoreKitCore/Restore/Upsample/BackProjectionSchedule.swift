/// How hard back-projection works for a given factor, blur and noise: the
/// number of iterations, the step, the range clamp, and the halo that makes
/// a window's result equal the whole image's.
///
/// The numbers were chosen on Set5 and Set14 (bicubic degradation, with and
/// without blur and noise; bench/upsample.sh) and are explained where set;
/// the measurements are in bench/NOTES.md.
struct BackProjectionSchedule: Sendable, Equatable {
    /// Back-projection steps after the initial interpolation.
    let iterations: Int
    /// μ, the gain on each interpolated residual.
    let step: Float
    /// The neighbourhood radius (observed pixels) of the range clamp.
    let clampRadius: Int
    /// α, the weight of the gradient penalty (0: none).
    let smoothing: Float
    /// Observed pixels of context around a region's footprint.
    let halo: Int

    /// Whether the parameters are in the ranges the prompt grammar allows:
    /// factor 1…8, blur σ 0…10 pixels, noise σ 0…1.
    static func accepts(factor: Double, blur: Double, noise: Double) -> Bool {
        (1 ... 8).contains(factor) && (0 ... 10).contains(blur) && (0 ... 1).contains(noise)
    }

    init(factor: Double, blur: Double, noise: Double) {
        // Values `restore` rejects make no schedule worth having; they get the
        // plain one rather than a trap.
        let valid = BackProjectionSchedule.accepts(factor: factor, blur: blur, noise: noise)
        // The blur's width in observed pixels: what decides how ill-posed the
        // inversion is and how far a feature's values spread.
        let spread = valid ? blur / factor : 0
        // Without blur, A P has eigenvalues in about [0.49, 1] (A: antialiased
        // bicubic downscale, P: Lanczos-3, at any factor), so μ = 1.3 shrinks
        // the residual by 0.36 or more per step and 6 steps come close to
        // convergence. A stated blur pushes eigenvalues toward 0 and the
        // slow components need more steps; beyond 6 + 12·spread they gain
        // little and 8-bit rounding noise starts to grow.
        iterations = 6 + Int((12 * spread).rounded())
        // Tikhonov weight for noise of σ: the penalty must balance a data term
        // whose residual is σ² per pixel; α = 300 σ² did best on Set5. Without
        // it the noise is restored as detail and the result falls below bicubic.
        let alpha = valid ? 300 * noise * noise : 0
        smoothing = Float(alpha)
        // Stable while μ (λmax(PA) + 8α) < 2.
        step = Float(min(1.3, 1.8 / (1 + 8 * alpha)))
        // A blur spreads a peak over `spread` observed pixels and lowers it, so
        // the 3 × 3 range would clip detail the deconvolution should restore:
        // the neighbourhood widens with the spread (tuned on Set5; well above
        // no clamp at all).
        let radius = 1 + Int(10 * spread)
        clampRadius = radius
        // Context enough for the tiled result to match the whole image (the
        // influence of a pixel decays geometrically with each step; the clamp
        // reaches `radius` pixels).
        halo = 14 + radius + iterations / 2
    }
}
