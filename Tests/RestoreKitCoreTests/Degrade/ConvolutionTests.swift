import Testing
@testable import RestoreKitCore

@Suite("Degrade: convolution")
struct DegradeConvolutionTests {
    /// Direct convolution with reflect-101 borders, one pixel at a time.
    static func reference(_ image: Image, _ kernel: BlurKernel) -> Image {
        var out = image
        let r = kernel.radius
        for c in 0 ..< image.layout.channelCount {
            for y in 0 ..< image.height {
                for x in 0 ..< image.width {
                    var sum = 0.0
                    for dy in -r ... r {
                        for dx in -r ... r {
                            let sy = Convolution.reflect101(y - dy, image.height)
                            let sx = Convolution.reflect101(x - dx, image.width)
                            sum += Double(kernel.weights[(dy + r) * kernel.size + dx + r]) * Double(image[sx, sy, c])
                        }
                    }
                    out[x, y, c] = Float(sum)
                }
            }
        }
        return out
    }

    @Test("reflect-101 mirrors about the edge samples without repeating them")
    func reflect() {
        #expect((-3 ... 8).map { Convolution.reflect101($0, 5) } == [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0])
        #expect((-4 ... 5).map { Convolution.reflect101($0, 2) } == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        #expect(Convolution.reflect101(-7, 1) == 0)
    }

    @Test("separable and 2-D convolution agree", arguments: [
        BlurShape.gaussian(sigma: 0.6), .gaussian(sigma: 3), .anisotropicGaussian(sigmaX: 2, sigmaY: 0.7, rotation: Double.pi / 2),
    ])
    func separableEqualsGeneral(shape: BlurShape) throws {
        let image = DegradeTestSupport.random(width: 61, height: 37, layout: .rgba, seed: 11)
        let kernel = try BlurKernel(shape)
        #expect(kernel.factors != nil)
        let general = try BlurKernel(size: kernel.size, weights: kernel.weights)
        #expect(general.factors == nil)
        let a = image.convolved(with: kernel), b = image.convolved(with: general)
        #expect(DegradeTestSupport.maxDifference(a.samples, b.samples) < 2e-6)
    }

    @Test("both paths match direct convolution, borders included, also on images smaller than the kernel",
          arguments: [(23, 17), (4, 3), (1, 6)])
    func matchesReference(width: Int, height: Int) throws {
        let image = DegradeTestSupport.random(width: width, height: height, layout: .grayAlpha, seed: 12)
        for shape in [BlurShape.gaussian(sigma: 1.4),
                      .plateau(sigmaX: 2, sigmaY: 0.8, rotation: 0.5, beta: 1.2)] {
            let kernel = try BlurKernel(shape, size: 9)
            let expected = Self.reference(image, kernel)
            #expect(DegradeTestSupport.maxDifference(image.convolved(with: kernel).samples, expected.samples) < 2e-6)
        }
    }

    @Test("it is a convolution: an impulse becomes the kernel, not its mirror image")
    func orientation() throws {
        var impulse = DegradeTestSupport.constant(0, width: 11, height: 11, layout: .gray)
        impulse[5, 5, 0] = 1
        var weights = [Float](repeating: 0, count: 9)
        weights[0] = 3        // offset (−1, −1)
        weights[5] = 1        // offset (+1, 0)
        let out = impulse.convolved(with: try BlurKernel(size: 3, weights: weights))
        #expect(out[4, 4, 0] == 0.75 && out[6, 5, 0] == 0.25)
        #expect(out.samples.reduce(0, +) == 1)
    }

    @Test("flat images stay flat; layout, size and encoding are kept")
    func flat() throws {
        var image = DegradeTestSupport.constant(0.3, width: 40, height: 9, layout: .rgb)
        image.encoding = .linear
        let out = image.convolved(with: try BlurKernel(.sinc(cutoff: 1.3), size: 21))
        #expect(out.layout == .rgb && out.width == 40 && out.height == 9 && out.encoding == .linear)
        #expect(out.samples.allSatisfy { abs($0 - 0.3) < 1e-5 })
    }
}
