#if canImport(Glibc)
import Glibc
#endif

/// Non-blind deconvolution of one framed plane by half-quadratic splitting
/// (Krishnan and Fergus, NIPS 2009): it minimises
///
///     λ/2 ‖k ∗ x − y‖² + Σ |∂ₓx|^(2/3) + |∂ᵧx|^(2/3)
///
/// by introducing auxiliary gradients w and alternating, for a penalty β that
/// rises geometrically from 1 to `finalBeta` over the iterations,
/// - the w-step: w = shrink(∇x) per pixel (`HyperLaplacianShrinkage`), and
/// - the x-step: (λ KᵀK + β ∇ᵀ∇) x = λ Kᵀy + β ∇ᵀw, diagonal in Fourier space
///   on the periodic frame: one forward and one inverse FFT.
///
/// k is the Gaussian blur, so K is real and separable, and ∇ are forward
/// differences, so everything but the FFTs is a cheap pointwise pass.
struct HalfQuadraticDeconvolver {
    /// The last iteration's β: Krishnan and Fergus's schedule, ×2√2 per
    /// iteration from 1 over eight iterations, (2√2)⁷ ≈ 1448. By then the
    /// splitting is tight: larger β changes nothing measurable (see
    /// bench/NOTES.md).
    static let finalBeta = pow(8, 3.5)

    /// β at each of `iterations` (at least 1) iterations: 1 … `finalBeta`.
    static func betaSchedule(iterations: Int) -> [Double] {
        guard iterations > 1 else { return [finalBeta] }
        return (0 ..< iterations).map { pow(finalBeta, Double($0) / Double(iterations - 1)) }
    }

    let width: Int
    let height: Int
    let plan: FFT.RealPlan2D
    /// The Gaussian's transfer function along x and along y.
    let blurX: [Float]
    let blurY: [Float]
    /// |transfer|² of the forward difference along x and along y.
    let differenceX: [Float]
    let differenceY: [Float]

    /// A solver for `width × height` frames (fast sizes) and blur `sigma`.
    init(width: Int, height: Int, sigma: Double) throws {
        self.width = width
        self.height = height
        plan = try FFT.RealPlan2D.shared(width: width, height: height)
        blurX = GaussianTransfer.gaussian(sigma: sigma, length: width)
        blurY = GaussianTransfer.gaussian(sigma: sigma, length: height)
        differenceX = GaussianTransfer.differencePower(length: width)
        differenceY = GaussianTransfer.differencePower(length: height)
    }

    /// The deconvolved frame for the observed frame `observed`, with data
    /// weight `lambda`, after `iterations` iterations. Calls `step` after each
    /// half-iteration (2 · `iterations` calls) with the number done, so
    /// callers can report progress and honour cancellation.
    func solve(_ observed: [Float], lambda: Float, iterations: Int, threads: Int,
               step: (Int) throws -> Void) throws -> [Float] {
        let count = width * height
        // λ·K·Ŷ, the fixed part of the x-step's numerator.
        var data = try plan.forward(observed, threads: threads)
        GaussianTransfer.multiply(&data, by: blurX, blurY, scale: lambda, threads: threads)

        var x = observed
        var gradients = [Float](repeating: 0, count: 2 * count)
        var divergence = [Float](repeating: 0, count: count)
        var spectrum = FFT.Spectrum2D(width: width, height: height)
        for (iteration, beta) in Self.betaSchedule(iterations: iterations).enumerated() {
            shrunkDivergence(of: x, beta: beta, gradients: &gradients, into: &divergence, threads: threads)
            try plan.forward(divergence, into: &spectrum, threads: threads)
            try step(2 * iteration + 1)
            combine(&spectrum, data: data, lambda: lambda, beta: Float(beta), threads: threads)
            try plan.inverse(spectrum, into: &x, threads: threads)
            try step(2 * iteration + 2)
        }
        return x
    }

    /// The w-step and ∇ᵀw: shrinks the forward differences of `x` and writes
    /// their adjoint, (w_x[i−1] − w_x[i]) + (w_y[i−w] − w_y[i]), periodically.
    private func shrunkDivergence(of x: [Float], beta: Double, gradients: inout [Float],
                                  into divergence: inout [Float], threads: Int) {
        let (w, h) = (width, height)
        x.withUnsafeBufferPointer { source in
            gradients.withUnsafeMutableBufferPointer { grads in
                divergence.withUnsafeMutableBufferPointer { div in
                    let src = source.baseAddress!, gx = grads.baseAddress!, gy = gx + w * h
                    let out = div.baseAddress!
                    parallelFor(h, threads: threads) { y in
                        let row = src + y * w, below = src + ((y + 1) % h) * w
                        let dx = gx + y * w, dy = gy + y * w
                        for i in 0 ..< w - 1 { dx[i] = row[i + 1] - row[i] }
                        dx[w - 1] = row[0] - row[w - 1]
                        for i in 0 ..< w { dy[i] = below[i] - row[i] }
                        HyperLaplacianShrinkage.apply(dx, dx, count: w, beta: beta)
                        HyperLaplacianShrinkage.apply(dy, dy, count: w, beta: beta)
                    }
                    parallelFor(h, threads: threads) { y in
                        let dx = gx + y * w, dy = gy + y * w, above = gy + ((y + h - 1) % h) * w
                        let row = out + y * w
                        row[0] = dx[w - 1] - dx[0] + above[0] - dy[0]
                        for i in 1 ..< w { row[i] = dx[i - 1] - dx[i] + above[i] - dy[i] }
                    }
                }
            }
        }
    }

    /// The x-step in Fourier space: X = (λKŶ + β·F(∇ᵀw)) / (λK² + β|∇|²),
    /// written over the spectrum of ∇ᵀw. At zero frequency K = 1 and |∇|² = 0.
    private func combine(_ spectrum: inout FFT.Spectrum2D, data: FFT.Spectrum2D, lambda: Float,
                         beta: Float, threads: Int) {
        GaussianTransfer.solve(&spectrum, data: data, blur: blurX, blurY, regulariser: differenceX, differenceY,
                               lambda: lambda, beta: beta, threads: threads)
    }
}
