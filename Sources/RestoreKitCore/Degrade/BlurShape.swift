/// The blur kernels of the Real-ESRGAN family, by their parameters.
///
/// Offsets are in pixels; x runs along a row (to the right), y down the columns.
/// `rotation` (radians) turns the x axis of the kernel toward +y, as in
/// Real-ESRGAN's `sigma_matrix2` on its (x, y) mesh grid. Kernels are sampled at
/// integer offsets (not integrated over pixels), as Real-ESRGAN does.
public enum BlurShape: Equatable, Sendable {
    /// Isotropic Gaussian of standard deviation `sigma`: SPIRE's "Deblur with sigma S".
    case gaussian(sigma: Double)
    /// Gaussian with standard deviations `sigmaX`, `sigmaY` along its own axes,
    /// turned by `rotation`.
    case anisotropicGaussian(sigmaX: Double, sigmaY: Double, rotation: Double)
    /// exp(−½ qᵝ), q the squared Mahalanobis distance of the Gaussian with these
    /// parameters: β < 1 gives heavy tails, β > 1 flattens the top (β = 1 is the Gaussian).
    case generalizedGaussian(sigmaX: Double, sigmaY: Double, rotation: Double, beta: Double)
    /// 1 / (1 + qᵝ), q as for the generalized Gaussian: a flat top with a soft edge.
    case plateau(sigmaX: Double, sigmaY: Double, rotation: Double, beta: Double)
    /// The circularly symmetric ideal low-pass ("2-D sinc") with angular cutoff
    /// frequency `cutoff` (radians per pixel, at most π): ωc J₁(ωc r) / (2π r).
    case sinc(cutoff: Double)

    /// The side a kernel of this shape gets when none is given: 2⌈4σ⌉ + 1 for the
    /// widest σ (the Gaussian beyond 4σ holds less than 0.01 % of its mass), at
    /// least 3; for the sinc, 21, Real-ESRGAN's largest.
    public var defaultSize: Int {
        let sigma: Double
        switch self {
        case .gaussian(let s): sigma = s
        case .anisotropicGaussian(let sx, let sy, _),
             .generalizedGaussian(let sx, let sy, _, _),
             .plateau(let sx, let sy, _, _):
            sigma = max(sx, sy)
        case .sinc: return 21
        }
        return 2 * max(1, Int((4 * sigma).rounded(.up))) + 1
    }

    /// Throws unless the parameters describe a kernel.
    func validate() throws {
        func positive(_ name: String, _ value: Double) throws {
            guard value > 0, value.isFinite else {
                throw RestoreError(.invalidArgument, "blur \(name) must be positive and finite, not \(value)")
            }
        }
        switch self {
        case .gaussian(let sigma):
            try positive("sigma", sigma)
        case .anisotropicGaussian(let sx, let sy, let rotation):
            try positive("sigma x", sx)
            try positive("sigma y", sy)
            guard rotation.isFinite else { throw RestoreError(.invalidArgument, "blur rotation must be finite") }
        case .generalizedGaussian(let sx, let sy, let rotation, let beta),
             .plateau(let sx, let sy, let rotation, let beta):
            try positive("sigma x", sx)
            try positive("sigma y", sy)
            try positive("beta", beta)
            guard rotation.isFinite else { throw RestoreError(.invalidArgument, "blur rotation must be finite") }
        case .sinc(let cutoff):
            guard cutoff > 0, cutoff <= Double.pi else {
                throw RestoreError(.invalidArgument, "sinc cutoff must be in (0, π] radians, not \(cutoff)")
            }
        }
    }
}
