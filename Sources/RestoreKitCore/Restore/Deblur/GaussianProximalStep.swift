/// The data step of plug-and-play deblurring: the proximal operator of the
/// Gaussian blur's data term on one framed plane,
///
///     argminₓ ‖k ∗ x − y‖² + α ‖x − z‖²  =  F⁻¹[(K·Ŷ + α·Ẑ) / (K² + α)],
///
/// exact on the periodic frame (`PeriodicFrame`), where the blur k is a
/// circular convolution with a real, even, separable transfer function K
/// (`GaussianTransfer`). K·Ŷ is computed once per observed plane, so each
/// step costs one forward and one inverse FFT.
struct GaussianProximalStep {
    let width: Int
    let height: Int
    private let plan: FFT.RealPlan2D
    /// The Gaussian's transfer function along x and along y.
    private let blurX: [Float]
    private let blurY: [Float]
    /// K·Ŷ, the fixed part of the numerator.
    private let data: FFT.Spectrum2D
    /// The power of the prior term's operator, the identity: 1 at every
    /// frequency, as the sum 0 + 1 over the axes.
    private let identityX: [Float]
    private let identityY: [Float]

    /// The step for the observed frame `observed` (`width × height`, fast
    /// FFT sizes) blurred by the Gaussian of `sigma` pixels.
    init(observed: [Float], width: Int, height: Int, sigma: Double, threads: Int) throws {
        self.width = width
        self.height = height
        plan = try FFT.RealPlan2D.shared(width: width, height: height)
        blurX = GaussianTransfer.gaussian(sigma: sigma, length: width)
        blurY = GaussianTransfer.gaussian(sigma: sigma, length: height)
        identityX = [Float](repeating: 0, count: width)
        identityY = [Float](repeating: 1, count: height)
        var data = try plan.forward(observed, threads: threads)
        GaussianTransfer.multiply(&data, by: blurX, blurY, scale: 1, threads: threads)
        self.data = data
    }

    /// The frame closest to `prior` (weight `alpha` > 0) whose blur matches
    /// the observation.
    func solve(prior: [Float], alpha: Float, threads: Int) throws -> [Float] {
        var spectrum = try plan.forward(prior, threads: threads)
        GaussianTransfer.solve(&spectrum, data: data, blur: blurX, blurY, regulariser: identityX, identityY,
                               lambda: 1, beta: alpha, threads: threads)
        return try plan.inverse(spectrum, threads: threads)
    }
}
