#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore

@Suite("Degrade: blur kernels")
struct DegradeBlurKernelTests {
    static let shapes: [BlurShape] = [
        .gaussian(sigma: 0.2), .gaussian(sigma: 1.7), .gaussian(sigma: 3),
        .anisotropicGaussian(sigmaX: 2.5, sigmaY: 0.8, rotation: 0.6),
        .anisotropicGaussian(sigmaX: 2, sigmaY: 1, rotation: Double.pi / 2),
        .generalizedGaussian(sigmaX: 1.5, sigmaY: 1.5, rotation: 0, beta: 0.5),
        .generalizedGaussian(sigmaX: 2.2, sigmaY: 1.1, rotation: -1.2, beta: 3.5),
        .plateau(sigmaX: 1.3, sigmaY: 1.3, rotation: 0, beta: 1.5),
        .plateau(sigmaX: 2.8, sigmaY: 0.9, rotation: 2.4, beta: 2),
        .sinc(cutoff: Double.pi / 5), .sinc(cutoff: 2.2),
    ]

    /// Σ w·x², Σ w·x·y, Σ w·y² about the centre.
    static func secondMoments(_ k: BlurKernel) -> (xx: Double, xy: Double, yy: Double) {
        var xx = 0.0, xy = 0.0, yy = 0.0
        for y in -k.radius ... k.radius {
            for x in -k.radius ... k.radius {
                let w = Double(k.weights[(y + k.radius) * k.size + x + k.radius])
                xx += w * Double(x * x)
                xy += w * Double(x * y)
                yy += w * Double(y * y)
            }
        }
        return (xx, xy, yy)
    }

    @Test("every kernel is normalised and point-symmetric", arguments: shapes)
    func normalisedAndSymmetric(shape: BlurShape) throws {
        for size in [7, 21, shape.defaultSize] {
            let k = try BlurKernel(shape, size: size)
            #expect(k.size == size && k.weights.count == size * size)
            #expect(abs(k.weights.reduce(0, +) - 1) < 1e-5)
            #expect(k.weights == k.weights.reversed(), "K(x, y) = K(−x, −y)")
        }
    }

    @Test("isotropic kernels are also mirror- and transpose-symmetric",
          arguments: [BlurShape.gaussian(sigma: 1.3), .generalizedGaussian(sigmaX: 1, sigmaY: 1, rotation: 0, beta: 2),
                      .plateau(sigmaX: 2, sigmaY: 2, rotation: 0, beta: 1), .sinc(cutoff: 1.1)])
    func isotropicSymmetry(shape: BlurShape) throws {
        let k = try BlurKernel(shape, size: 15)
        for y in 0 ..< 15 {
            for x in 0 ..< 15 {
                let w = k.weights[y * 15 + x]
                #expect(abs(w - k.weights[y * 15 + 14 - x]) < 1e-7)
                #expect(abs(w - k.weights[x * 15 + y]) < 1e-7)
            }
        }
    }

    @Test("a Gaussian's σ comes back from its second moments", arguments: [0.8, 1, 2, 3])
    func gaussianSigma(sigma: Double) throws {
        let m = Self.secondMoments(try BlurKernel(.gaussian(sigma: sigma)))
        #expect(abs(m.xx.squareRoot() / sigma - 1) < 0.002)
        #expect(abs(m.yy.squareRoot() / sigma - 1) < 0.002)
        #expect(abs(m.xy) < 1e-7)
    }

    @Test("a rotated anisotropic Gaussian has covariance U·diag(σx², σy²)·Uᵀ, turning x toward +y")
    func anisotropicCovariance() throws {
        let sx = 2.5, sy = 1.2, theta = Double.pi / 6
        let m = Self.secondMoments(try BlurKernel(.anisotropicGaussian(sigmaX: sx, sigmaY: sy, rotation: theta), size: 31))
        let c = cos(theta), s = sin(theta)
        #expect(abs(m.xx - (c * c * sx * sx + s * s * sy * sy)) < 0.01)
        #expect(abs(m.yy - (s * s * sx * sx + c * c * sy * sy)) < 0.01)
        #expect(abs(m.xy - c * s * (sx * sx - sy * sy)) < 0.01)
        #expect(m.xy > 0)
    }

    @Test("generalized Gaussian with β = 1 is the Gaussian; β changes the tails")
    func generalizedBeta() throws {
        let gaussian = try BlurKernel(.anisotropicGaussian(sigmaX: 2, sigmaY: 1, rotation: 0.4), size: 21)
        let beta1 = try BlurKernel(.generalizedGaussian(sigmaX: 2, sigmaY: 1, rotation: 0.4, beta: 1), size: 21)
        #expect(DegradeTestSupport.maxDifference(gaussian.weights, beta1.weights) < 1e-7)
        let heavy = Self.secondMoments(try BlurKernel(.generalizedGaussian(sigmaX: 1.5, sigmaY: 1.5, rotation: 0, beta: 0.5), size: 21))
        let flat = Self.secondMoments(try BlurKernel(.generalizedGaussian(sigmaX: 1.5, sigmaY: 1.5, rotation: 0, beta: 4), size: 21))
        #expect(heavy.xx > 1.5 * 1.5 && flat.xx < 1.5 * 1.5)
    }

    @Test("plateau kernels fall monotonically from a flat top")
    func plateau() throws {
        let k = try BlurKernel(.plateau(sigmaX: 2, sigmaY: 2, rotation: 0, beta: 2), size: 21)
        let row = Array(k.weights[10 * 21 + 10 ..< 11 * 21])
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 >= $1 })
        // 1/(1 + q²) with q = 1/4 one pixel out: flatter than the Gaussian's exp(−q/2).
        #expect(abs(row[1] / row[0] - 16.0 / 17) < 1e-6)
        #expect(Double(row[1] / row[0]) > exp(-0.125))
    }

    @Test("the sinc kernel follows ωc J₁(ωc r)/(2πr) and has negative lobes")
    func sinc() throws {
        let cutoff = Double.pi / 4
        let k = try BlurKernel(.sinc(cutoff: cutoff), size: 21)
        let centre = Double(k.weights[10 * 21 + 10])
        let r = 3.0, expected = cutoff * j1(cutoff * r) / (2 * Double.pi * r) / (cutoff * cutoff / (4 * Double.pi))
        #expect(abs(Double(k.weights[10 * 21 + 13]) / centre - expected) < 1e-5)
        #expect(k.weights.contains { $0 < 0 })
    }

    @Test("only isotropic and axis-aligned Gaussians have factors, and their product is the kernel")
    func factors() throws {
        for shape in Self.shapes {
            let k = try BlurKernel(shape, size: 17)
            let separable: Bool
            switch shape {
            case .gaussian: separable = true
            case .anisotropicGaussian(_, _, let rotation): separable = rotation == Double.pi / 2
            default: separable = false
            }
            #expect((k.factors != nil) == separable, "\(shape)")
            guard let f = k.factors else { continue }
            let product = f.vertical.flatMap { v in f.horizontal.map { v * $0 } }
            #expect(DegradeTestSupport.maxDifference(product, k.weights) < 1e-7)
        }
        // Rotated by 90°, the wide axis runs down the columns.
        let turned = try BlurKernel(.anisotropicGaussian(sigmaX: 2, sigmaY: 1, rotation: Double.pi / 2), size: 17)
        let m = Self.secondMoments(turned)
        #expect(abs(m.yy - 4) < 0.01 && abs(m.xx - 1) < 0.01)
    }

    @Test("the default side is 2⌈4σ⌉ + 1")
    func defaultSize() {
        #expect(BlurShape.gaussian(sigma: 3).defaultSize == 25)
        #expect(BlurShape.gaussian(sigma: 0.2).defaultSize == 3)
        #expect(BlurShape.anisotropicGaussian(sigmaX: 0.5, sigmaY: 1.1, rotation: 0).defaultSize == 11)
        #expect(BlurShape.sinc(cutoff: 1).defaultSize == 21)
    }

    @Test("bad parameters and sizes are refused")
    func invalid() {
        for shape in [BlurShape.gaussian(sigma: 0), .gaussian(sigma: -1), .gaussian(sigma: .nan),
                      .anisotropicGaussian(sigmaX: 1, sigmaY: 0, rotation: 0),
                      .plateau(sigmaX: 1, sigmaY: 1, rotation: 0, beta: 0), .sinc(cutoff: 4), .sinc(cutoff: 0)] {
            #expect(throws: RestoreError.self) { try BlurKernel(shape) }
        }
        #expect(throws: RestoreError.self) { try BlurKernel(.gaussian(sigma: 1), size: 4) }
        #expect(throws: RestoreError.self) { try BlurKernel(size: 3, weights: [1, 2]) }
        #expect(throws: RestoreError.self) { try BlurKernel(size: 1, weights: [0]) }
    }
}
