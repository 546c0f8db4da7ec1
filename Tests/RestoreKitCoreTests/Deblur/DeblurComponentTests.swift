import Foundation
import Testing
@testable import RestoreKitCore

@Suite("Deblur: components")
struct DeblurComponentTests {
    @Test("the shrinkage table minimises |w|^(2/3) + β/2 (w − v)²", arguments: [1.0, 8.0, 256.0])
    func shrinkageIsTheMinimiser(beta: Double) {
        let values: [Float] = [-0.9, -0.3, -0.05, -0.01, 0, 0.002, 0.02, 0.1, 0.5, 2, 40]
        var shrunk = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            shrunk.withUnsafeMutableBufferPointer { w in
                HyperLaplacianShrinkage.apply(v.baseAddress!, w.baseAddress!, count: values.count, beta: beta)
            }
        }
        func energy(_ w: Double, _ v: Double) -> Double { pow(abs(w), 2.0 / 3) + beta / 2 * (w - v) * (w - v) }
        for (v, w) in zip(values.map(Double.init), shrunk.map(Double.init)) {
            // Brute force over a fine grid between 0 and v.
            let best = (0 ... 20000).map { v * Double($0) / 20000 }.min { energy($0, v) < energy($1, v) }!
            #expect(energy(w, v) <= energy(best, v) + 1e-6 * max(1, abs(v)), "v \(v): w \(w), best \(best)")
        }
    }

    @Test("the frame mirrors the plane and closes the period smoothly")
    func frameLayout() {
        let (w, h) = (7, 5)
        let plane = (0 ..< w * h).map { Float($0 % w) + 10 * Float($0 / w) }
        let frame = PeriodicFrame(width: w, height: h, margin: 3, minimumGap: 4)
        #expect(FFT.isFastSize(frame.frameWidth) && frame.frameWidth >= w + 10)
        #expect(FFT.isFastSize(frame.frameHeight) && frame.frameHeight >= h + 10)
        let framed = plane.withUnsafeBufferPointer { frame.embed($0, threads: 1) }
        let fw = frame.frameWidth
        func at(_ x: Int, _ y: Int) -> Float { framed[(y + frame.origin) * fw + x + frame.origin] }
        for y in 0 ..< h { for x in 0 ..< w { #expect(at(x, y) == plane[y * w + x]) } }
        // reflect-101: column −1 is column 1, column w is column w − 2.
        #expect(at(-1, 2) == plane[2 * w + 1])
        #expect(at(w, 2) == plane[2 * w + w - 2])
        #expect(at(3, -2) == plane[2 * w + 3])
        // Around the whole period no step exceeds the largest step inside the mirrored part.
        let row = Array(framed[(frame.origin + 2) * fw ..< (frame.origin + 3) * fw])
        let steps = (0 ..< fw).map { abs(row[($0 + 1) % fw] - row[$0]) }
        #expect(steps.max()! <= 1.0 + 1e-5)
        var extracted = [Float](repeating: 0, count: w * h)
        extracted.withUnsafeMutableBufferPointer { frame.extract(framed, into: $0) }
        #expect(extracted == plane)
    }

    @Test("the Gaussian transfer function is the DFT of the sampled kernel")
    func gaussianTransfer() throws {
        let sigma = 1.3, n = 40
        let kernel = try BlurKernel(.gaussian(sigma: sigma)).factors!.horizontal
        let r = kernel.count / 2
        #expect(r == GaussianTransfer.radius(sigma: sigma))
        let transfer = GaussianTransfer.gaussian(sigma: sigma, length: n)
        for k in 0 ..< n {
            var re = 0.0, im = 0.0
            for t in -r ... r {
                let angle = -2 * Double.pi * Double(k * t) / Double(n)
                re += Double(kernel[t + r]) * cos(angle)
                im += Double(kernel[t + r]) * sin(angle)
            }
            #expect(abs(Double(transfer[k]) - re) < 1e-6 && abs(im) < 1e-6)
        }
    }

    @Test("the opponent basis is orthonormal and inverts exactly")
    func opponentBasis() {
        var a: [Float] = [0.2, 1, 0], b: [Float] = [0.5, 1, 0], c: [Float] = [0.9, 1, 1]
        let original = (a, b, c)
        OpponentBasis.forward(&a, &b, &c, count: 3)
        // Gray has no colour; norms are preserved.
        #expect(abs(b[1]) < 1e-6 && abs(c[1]) < 1e-6)
        let norm0 = original.0[0] * original.0[0] + original.1[0] * original.1[0] + original.2[0] * original.2[0]
        #expect(abs(a[0] * a[0] + b[0] * b[0] + c[0] * c[0] - norm0) < 1e-5)
        OpponentBasis.inverse(&a, &b, &c, count: 3)
        for i in 0 ..< 3 {
            #expect(abs(a[i] - original.0[i]) < 1e-6 && abs(b[i] - original.1[i]) < 1e-6 && abs(c[i] - original.2[i]) < 1e-6)
        }
    }
}
