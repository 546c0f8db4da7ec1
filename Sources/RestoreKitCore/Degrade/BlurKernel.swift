#if canImport(Glibc)
import Glibc
#endif

/// A normalised, odd-sized 2-D blur kernel, with its 1-D factors when it is
/// separable (so that convolution costs 2k instead of k² per pixel).
public struct BlurKernel: Equatable, Sendable {
    /// The two 1-D kernels whose outer product is the kernel.
    public struct Factors: Equatable, Sendable {
        /// Along a row (x), `size` weights summing to 1.
        public let horizontal: [Float]
        /// Down a column (y), `size` weights summing to 1.
        public let vertical: [Float]
    }

    /// What the kernel was made from; nil for a kernel given by its weights.
    public let shape: BlurShape?
    /// Side length, odd; the centre tap is at (size / 2, size / 2).
    public let size: Int
    /// `size × size` weights, row by row (y outer), summing to 1.
    public let weights: [Float]
    /// Set when the kernel is separable: isotropic and axis-aligned Gaussians.
    public let factors: Factors?

    /// Half the side: the number of taps on each side of the centre.
    public var radius: Int { size / 2 }

    /// The kernel of `shape` sampled on a `size × size` grid (default
    /// `shape.defaultSize`) and normalised to sum 1.
    public init(_ shape: BlurShape, size: Int? = nil) throws {
        try shape.validate()
        let side = size ?? shape.defaultSize
        try BlurKernel.checkSize(side)
        let r = side / 2
        self.shape = shape
        self.size = side

        var values = [Double](repeating: 0, count: side * side)
        for y in -r ... r {
            for x in -r ... r {
                values[(y + r) * side + x + r] = BlurKernel.value(shape, x: Double(x), y: Double(y))
            }
        }
        let total = values.reduce(0, +)
        weights = values.map { Float($0 / total) }
        factors = BlurKernel.axisAlignedSigmas(shape).map { sx, sy in
            Factors(horizontal: BlurKernel.gaussian1D(sigma: sx, radius: r),
                    vertical: BlurKernel.gaussian1D(sigma: sy, radius: r))
        }
    }

    /// A kernel given by its `size × size` weights (row by row), normalised to sum 1.
    public init(size: Int, weights: [Float]) throws {
        try BlurKernel.checkSize(size)
        guard weights.count == size * size else {
            throw RestoreError(.invalidArgument, "a \(size) × \(size) kernel needs \(size * size) weights, not \(weights.count)")
        }
        let total = weights.reduce(0.0) { $0 + Double($1) }
        guard total.isFinite, abs(total) > 1e-12 else {
            throw RestoreError(.invalidArgument, "kernel weights must have a finite, non-zero sum")
        }
        self.shape = nil
        self.size = size
        self.weights = weights.map { Float(Double($0) / total) }
        self.factors = nil
    }

    private static func checkSize(_ size: Int) throws {
        guard size >= 1, size % 2 == 1, size <= 255 else {
            throw RestoreError(.invalidArgument, "kernel size must be odd and 1–255, not \(size)")
        }
    }

    /// σx (along rows) and σy (down columns) when `shape` is a Gaussian whose
    /// axes lie on the pixel grid.
    private static func axisAlignedSigmas(_ shape: BlurShape) -> (Double, Double)? {
        switch shape {
        case .gaussian(let sigma):
            return (sigma, sigma)
        case .anisotropicGaussian(let sx, let sy, let rotation):
            if abs(sin(rotation)) < 1e-12 { return (sx, sy) }
            if abs(cos(rotation)) < 1e-12 { return (sy, sx) }
            return nil
        default:
            return nil
        }
    }

    /// exp(−x²/2σ²) at −radius…radius, normalised; its outer products are the
    /// 2-D Gaussian's weights to float precision.
    private static func gaussian1D(sigma: Double, radius: Int) -> [Float] {
        let values = (-radius ... radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = values.reduce(0, +)
        return values.map { Float($0 / total) }
    }

    /// The unnormalised kernel value at offset (x, y).
    private static func value(_ shape: BlurShape, x: Double, y: Double) -> Double {
        switch shape {
        case .gaussian(let sigma):
            return exp(-(x * x + y * y) / (2 * sigma * sigma))
        case .anisotropicGaussian(let sx, let sy, let rotation):
            return exp(-0.5 * mahalanobis(x, y, sx, sy, rotation))
        case .generalizedGaussian(let sx, let sy, let rotation, let beta):
            return exp(-0.5 * pow(mahalanobis(x, y, sx, sy, rotation), beta))
        case .plateau(let sx, let sy, let rotation, let beta):
            return 1 / (pow(mahalanobis(x, y, sx, sy, rotation), beta) + 1)
        case .sinc(let cutoff):
            let r = (x * x + y * y).squareRoot()
            // The limit at r = 0 of ωc J₁(ωc r) / (2π r).
            if r == 0 { return cutoff * cutoff / (4 * Double.pi) }
            return cutoff * j1(cutoff * r) / (2 * Double.pi * r)
        }
    }

    /// (x, y) Σ⁻¹ (x, y)ᵀ for Σ = U diag(σx², σy²) Uᵀ, U the rotation by `theta`.
    private static func mahalanobis(_ x: Double, _ y: Double, _ sx: Double, _ sy: Double,
                                    _ theta: Double) -> Double {
        let c = cos(theta), s = sin(theta)
        let u = c * x + s * y, v = -s * x + c * y   // the offset in the kernel's own axes
        return u * u / (sx * sx) + v * v / (sy * sy)
    }
}
