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

    /// The step for the observed frame `observed` (`width × height`, fast
    /// FFT sizes) blurred by the Gaussian of `sigma` pixels.
    init(observed: [Float], width: Int, height: Int, sigma: Double, threads: Int) throws {
        self.width = width
        self.height = height
        plan = try FFT.RealPlan2D.shared(width: width, height: height)
        blurX = GaussianTransfer.gaussian(sigma: sigma, length: width)
        blurY = GaussianTransfer.gaussian(sigma: sigma, length: height)
        var data = try plan.forward(observed, threads: threads)
        GaussianTransfer.multiply(&data, by: blurX, blurY, scale: 1, threads: threads)
        self.data = data
    }

    /// The frame closest to `prior` (weight `alpha` > 0) whose blur matches
    /// the observation.
    func solve(prior: [Float], alpha: Float, threads: Int) throws -> [Float] {
        var spectrum = try plan.forward(prior, threads: threads)
        let rows = height / 2 + 1
        blurX.withUnsafeBufferPointer { kx in
            blurY.withUnsafeBufferPointer { ky in
                data.real.withUnsafeBufferPointer { dr in
                    data.imaginary.withUnsafeBufferPointer { di in
                        spectrum.real.withUnsafeMutableBufferPointer { sr in
                            spectrum.imaginary.withUnsafeMutableBufferPointer { si in
                                parallelFor(width, threads: threads) { x in
                                    for y in 0 ..< rows {
                                        let i = x * rows + y
                                        let k = kx[x] * ky[y]
                                        let inverse = 1 / (k * k + alpha)
                                        sr[i] = (dr[i] + alpha * sr[i]) * inverse
                                        si[i] = (di[i] + alpha * si[i]) * inverse
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return try plan.inverse(spectrum, threads: threads)
    }
}
