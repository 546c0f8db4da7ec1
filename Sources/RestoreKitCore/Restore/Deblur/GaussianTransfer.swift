#if canImport(Glibc)
import Glibc
#endif

/// 1-D transfer functions (DFT values) of the filters the deconvolution uses,
/// on a periodic frame of `length` samples. Both filters are separable or
/// axis-aligned, so their 2-D transfer functions are products or sums of these.
enum GaussianTransfer {
    /// Taps on each side of the centre of the Gaussian kernel of `sigma`:
    /// ⌈4σ⌉, as `BlurShape.gaussian` samples it, so the model is exactly the
    /// blur the Degrade module applies.
    static func radius(sigma: Double) -> Int {
        max(1, Int((4 * sigma).rounded(.up)))
    }

    /// The DFT of the sampled, normalised Gaussian exp(−t²/2σ²), t = −r … r,
    /// centred on sample 0. It is real and even because the kernel is.
    static func gaussian(sigma: Double, length: Int) -> [Float] {
        let r = radius(sigma: sigma)
        let taps = (0 ... r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = taps[0] + 2 * taps.dropFirst().reduce(0, +)
        return (0 ..< length).map { k in
            var sum = taps[0]
            for t in 1 ... r {
                // kt mod length keeps the angle exact for long frames.
                sum += 2 * taps[t] * cos(2 * Double.pi * Double((k * t) % length) / Double(length))
            }
            return Float(sum / total)
        }
    }

    /// |DFT|² of the forward difference x[i+1] − x[i]: 2 − 2 cos(2πk/length).
    static func differencePower(length: Int) -> [Float] {
        (0 ..< length).map { Float(2 - 2 * cos(2 * Double.pi * Double($0) / Double(length))) }
    }

    /// Multiplies a plane's half spectrum (`height / 2 + 1` rows per column)
    /// by `scale` · kx[x] · ky[y]: a separable, real transfer function such as
    /// the Gaussian's, applied to the data term of a deconvolution.
    static func multiply(_ spectrum: inout FFT.Spectrum2D, by kx: [Float], _ ky: [Float], scale: Float,
                         threads: Int) {
        let rows = spectrum.height / 2 + 1
        kx.withUnsafeBufferPointer { kx in
            ky.withUnsafeBufferPointer { ky in
                spectrum.real.withUnsafeMutableBufferPointer { re in
                    spectrum.imaginary.withUnsafeMutableBufferPointer { im in
                        parallelFor(spectrum.width, threads: threads) { x in
                            for y in 0 ..< rows {
                                let factor = scale * kx[x] * ky[y]
                                re[x * rows + y] *= factor
                                im[x * rows + y] *= factor
                            }
                        }
                    }
                }
            }
        }
    }

    /// The x-step of a quadratic splitting, solved pointwise on a half spectrum
    /// (`height / 2 + 1` rows per column): each value S becomes
    /// (D + β·S) / (λ·K² + β·R), D the same frequency of `data` (λ·K·Ŷ),
    /// K = kx[x]·ky[y] the blur's transfer function and R = rx[x] + ry[y] the
    /// power (|transfer|²) of the regulariser's operator, a sum over the axes.
    static func solve(_ spectrum: inout FFT.Spectrum2D, data: FFT.Spectrum2D, blur kx: [Float], _ ky: [Float],
                      regulariser rx: [Float], _ ry: [Float], lambda: Float, beta: Float, threads: Int) {
        let (columns, rows) = (spectrum.width, spectrum.height / 2 + 1)
        kx.withUnsafeBufferPointer { kx in
            ky.withUnsafeBufferPointer { ky in
                rx.withUnsafeBufferPointer { rx in
                    ry.withUnsafeBufferPointer { ry in
                        data.real.withUnsafeBufferPointer { dr in
                            data.imaginary.withUnsafeBufferPointer { di in
                                spectrum.real.withUnsafeMutableBufferPointer { sr in
                                    spectrum.imaginary.withUnsafeMutableBufferPointer { si in
                                        parallelFor(columns, threads: threads) { x in
                                            for y in 0 ..< rows {
                                                let i = x * rows + y
                                                let k = kx[x] * ky[y]
                                                let inverse = 1 / (lambda * k * k + beta * (rx[x] + ry[y]))
                                                sr[i] = (dr[i] + beta * sr[i]) * inverse
                                                si[i] = (di[i] + beta * si[i]) * inverse
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
