import Testing
@testable import RestoreKitCore

@Suite("Degrade: noise")
struct DegradeNoiseTests {
    @Test("Gaussian colour noise: zero mean, the stated σ, independent channels, alpha untouched")
    func gaussianColour() throws {
        let image = DegradeTestSupport.constant(0.5, width: 256, height: 256, layout: .rgba)
        let out = try image.addingGaussianNoise(sigma: 0.05, seed: 1)
        var noise: [[Double]] = []
        for c in 0 ..< 3 {
            let n = out.plane(c).map { Double($0) - 0.5 }
            let m = DegradeTestSupport.moments(n)
            #expect(abs(m.mean) < 0.0005)
            #expect(abs(m.variance.squareRoot() / 0.05 - 1) < 0.01)
            noise.append(n)
        }
        let correlation = zip(noise[0], noise[1]).reduce(0) { $0 + $1.0 * $1.1 } / (Double(noise[0].count) * 0.0025)
        #expect(abs(correlation) < 0.015)
        #expect(out.alpha.map(Array.init) == image.alpha.map(Array.init))
    }

    @Test("gray noise adds one value to every colour channel")
    func gaussianGray() throws {
        let image = DegradeTestSupport.random(width: 64, height: 48, layout: .rgb, seed: 2)
        let out = try image.addingGaussianNoise(sigma: 0.02, gray: true, seed: 3)
        var compared = 0
        for i in 0 ..< image.planeCount where (0 ..< 3).allSatisfy({ out.samples[$0 * image.planeCount + i] > 0 && out.samples[$0 * image.planeCount + i] < 1 }) {
            let d = (0 ..< 3).map { out.samples[$0 * image.planeCount + i] - image.samples[$0 * image.planeCount + i] }
            #expect(abs(d[0] - d[1]) < 1e-6 && abs(d[0] - d[2]) < 1e-6)
            compared += 1
        }
        #expect(compared > image.planeCount / 2)
    }

    @Test("noise is clipped to [0, 1]; σ = 0 changes nothing; negative σ is refused")
    func clipping() throws {
        let black = DegradeTestSupport.constant(0, width: 50, height: 50, layout: .gray)
        let out = try black.addingGaussianNoise(sigma: 0.2, seed: 4)
        #expect(out.samples.allSatisfy { $0 >= 0 && $0 <= 1 } && out.samples.contains { $0 > 0 })
        #expect(try black.addingGaussianNoise(sigma: 0, seed: 4) == black)
        #expect(throws: RestoreError.self) { try black.addingGaussianNoise(sigma: -0.1, seed: 4) }
        #expect(throws: RestoreError.self) { try black.addingPoissonNoise(scale: .infinity, seed: 4) }
    }

    @Test("same seed, same noise; another seed, other noise; row streams make it thread-independent")
    func determinism() throws {
        let image = DegradeTestSupport.random(width: 33, height: 21, layout: .rgb, seed: 5)
        let a = try image.addingGaussianNoise(sigma: 0.1, seed: 77)
        #expect(a == (try image.addingGaussianNoise(sigma: 0.1, seed: 77)))
        #expect(a != (try image.addingGaussianNoise(sigma: 0.1, seed: 78)))
        // Row 4 of channel 2 is stream 2·21 + 4 of the seed, whoever computes it.
        var g = SeededGenerator(seed: 77, stream: 2 * 21 + 4)
        for x in 0 ..< 33 {
            let expected = min(max(image[x, 4, 2] + Float(g.nextNormal() * 0.1), 0), 1)
            #expect(a[x, 4, 2] == expected)
        }
        let p = try image.addingPoissonNoise(scale: 1, seed: 9)
        #expect(p == (try image.addingPoissonNoise(scale: 1, seed: 9)))
        #expect(p != (try image.addingPoissonNoise(scale: 1, seed: 10)))
    }

    @Test("Poisson noise has variance v/n·scale² for n = 256 levels and zero mean")
    func poissonStatistics() throws {
        // Every 8-bit code appears, so the level count is 256.
        let width = 256, height = 256
        let samples = (0 ..< width * height).map { Float($0 % 256) / 255 }
        let image = try Image(width: width, height: height, layout: .gray, samples: samples)
        let scale = 1.5
        let out = try image.addingPoissonNoise(scale: scale, seed: 6)
        var z: [Double] = []
        for i in 0 ..< samples.count where (30 ... 225).contains(i % 256) {
            let v = Double(samples[i])
            z.append(Double(out.samples[i] - samples[i]) / (scale * (v / 256).squareRoot()))
        }
        let m = DegradeTestSupport.moments(z)
        #expect(abs(m.mean) < 0.02)
        #expect(abs(m.variance - 1) < 0.03)
    }

    @Test("the level count follows the distinct 8-bit values: two values give n = 2")
    func poissonLevels() throws {
        // Half the pixels 0, half 1: n = 2, so a white pixel becomes Poisson(2)/2 and
        // the noise is a multiple of ½·scale.
        let samples = (0 ..< 4096).map { Float($0 % 2) }
        let image = try Image(width: 64, height: 64, layout: .gray, samples: samples)
        let out = try image.addingPoissonNoise(scale: 0.2, seed: 7)
        for i in stride(from: 1, to: 4096, by: 2) {
            let steps = (out.samples[i] - 1) / 0.1
            #expect(abs(steps - steps.rounded()) < 1e-4)
        }
        #expect(out.samples.contains { $0 < 1 && $0 > 0.5 })
    }

    @Test("gray Poisson noise is computed on the luma and shared by the colour channels")
    func poissonGray() throws {
        let image = DegradeTestSupport.crop(x: 150, y: 80, width: 64, height: 64)
        let out = try image.addingPoissonNoise(scale: 2, gray: true, seed: 8)
        var compared = 0
        for i in 0 ..< image.planeCount {
            let values = (0 ..< 3).map { out.samples[$0 * image.planeCount + i] }
            guard values.allSatisfy({ $0 > 0 && $0 < 1 }) else { continue }
            let d = (0 ..< 3).map { values[$0] - image.samples[$0 * image.planeCount + i] }
            #expect(abs(d[0] - d[1]) < 1e-6 && abs(d[0] - d[2]) < 1e-6)
            compared += 1
        }
        #expect(compared > image.planeCount / 2)
        #expect(out != image)
    }
}
