/// The 15 numbers SRMD's kernel-code channels hold for a blur kernel: P · vec(k),
/// P the PCA projection published with the network (`SRMDKernelProjection`).
enum SRMDKernelCode {
    /// The code of `kernel`, which must be 15 × 15 (as SRMD's kernels are).
    static func code(of kernel: BlurKernel) throws -> [Float] {
        let side = SRMDKernelProjection.side
        guard kernel.size == side else {
            throw RestoreError(.invalidArgument,
                               "SRMD codes \(side) × \(side) kernels, not \(kernel.size) × \(kernel.size)")
        }
        let columns = side * side
        return (0 ..< SRMDKernelProjection.dimensions).map { row in
            var sum = 0.0
            for x in 0 ..< side {
                for y in 0 ..< side {
                    // P's columns run down the kernel's columns; BlurKernel stores rows.
                    let p = SRMDKernelProjection.matrix[row * columns + x * side + y]
                    sum += Double(p) * Double(kernel.weights[y * side + x])
                }
            }
            return Float(sum)
        }
    }

    /// The code of no blur beyond the bicubic downscale: a delta kernel. It is
    /// P's centre column, which srmd-ncnn-vulkan carries as constants.
    static let delta: [Float] = {
        let side = SRMDKernelProjection.side
        var weights = [Float](repeating: 0, count: side * side)
        weights[weights.count / 2] = 1
        return try! code(of: BlurKernel(size: side, weights: weights))
    }()

    /// The code of the 15 × 15 isotropic Gaussian of `sigma` pixels, sampled
    /// at the taps and normalised to sum 1, as SRMD's and KAIR's
    /// `fspecial('gaussian', 15, sigma)` make it (which also zeroes taps below
    /// 2⁻⁵² of the peak: no difference in Float); `sigma` 0 is the delta kernel.
    static func gaussian(sigma: Double) throws -> [Float] {
        sigma == 0 ? delta : try code(of: BlurKernel(.gaussian(sigma: sigma), size: SRMDKernelProjection.side))
    }
}
