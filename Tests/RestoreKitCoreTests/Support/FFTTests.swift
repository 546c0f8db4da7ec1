import Foundation
import Testing
@testable import RestoreKitCore

/// Deterministic values in [−1, 1) (an LCG: the tests need repeatability, not quality).
private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0 ..< count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Double(state >> 40) / Double(1 << 24)) * 2 - 1
    }
}

/// The DFT of one complex signal, summed directly in double precision.
private func directDFT(_ re: [Double], _ im: [Double]) -> (re: [Double], im: [Double]) {
    let n = re.count
    var outR = [Double](repeating: 0, count: n), outI = outR
    for k in 0 ..< n {
        for t in 0 ..< n {
            let angle = -2 * Double.pi * Double((k * t) % n) / Double(n)
            outR[k] += re[t] * cos(angle) - im[t] * sin(angle)
            outI[k] += re[t] * sin(angle) + im[t] * cos(angle)
        }
    }
    return (outR, outI)
}

@Suite("FFT")
struct FFTTests {
    @Test("fast sizes are the 2·3·5-smooth numbers")
    func fastSizes() {
        #expect(FFT.isFastSize(1) && FFT.isFastSize(2) && FFT.isFastSize(360) && FFT.isFastSize(1024))
        #expect(!FFT.isFastSize(7) && !FFT.isFastSize(0) && !FFT.isFastSize(1022))
        #expect(FFT.fastSize(atLeast: 7) == 8)
        #expect(FFT.fastSize(atLeast: 1001) == 1024)
        #expect(FFT.fastSize(atLeast: 481) == 486)
        #expect(FFT.fastSize(atLeast: 0) == 1)
    }

    @Test("complex transforms match a direct DFT, fast and Bluestein lengths, batched and threaded",
          arguments: [1, 2, 3, 4, 5, 6, 8, 12, 15, 16, 30, 45, 64, 100, 243, 7, 11, 13, 49, 97])
    func complexMatchesDirect(length: Int) throws {
        let batch = 3
        let plan = try FFT.ComplexPlan(length: length)
        let re0 = randomValues(length * batch, seed: UInt64(length))
        let im0 = randomValues(length * batch, seed: UInt64(length) + 1000)
        var re = re0, im = im0
        try plan.forward(real: &re, imaginary: &im, batch: batch, threads: 2)
        var worst = 0.0
        for b in 0 ..< batch {
            let signalR = (0 ..< length).map { Double(re0[$0 * batch + b]) }
            let signalI = (0 ..< length).map { Double(im0[$0 * batch + b]) }
            let expected = directDFT(signalR, signalI)
            for k in 0 ..< length {
                worst = max(worst, abs(Double(re[k * batch + b]) - expected.re[k]),
                            abs(Double(im[k * batch + b]) - expected.im[k]))
            }
        }
        // Values are O(1), so coefficients are O(√n): allow float rounding at that scale.
        #expect(worst < 2e-6 * Double(length).squareRoot() * log2(Double(length) + 1) + 1e-6,
                "length \(length): max error \(worst)")

        try plan.inverse(real: &re, imaginary: &im, batch: batch, threads: 2)
        let roundTrip = zip(re + im, re0 + im0).map { abs($0 - $1) }.max()!
        #expect(roundTrip < 1e-5, "length \(length): round trip error \(roundTrip)")
    }

    @Test("real 2-D transforms match a direct DFT and round-trip, odd and even sizes",
          arguments: [(8, 6), (7, 5), (9, 12), (13, 11), (16, 15), (1, 5), (5, 1), (1, 1), (30, 20), (14, 7)])
    func realMatchesDirect(size: (Int, Int)) throws {
        let (w, h) = size
        let plan = try FFT.RealPlan2D(width: w, height: h)
        let plane = randomValues(w * h, seed: UInt64(w * 100 + h))
        let spectrum = try plan.forward(plane, threads: 2)
        #expect(spectrum.rowLength == h / 2 + 1)
        var worst = 0.0
        for kx in 0 ..< w {
            for ky in 0 ... h / 2 {
                var sumR = 0.0, sumI = 0.0
                for y in 0 ..< h {
                    for x in 0 ..< w {
                        let phase = Double((kx * x) % w) / Double(w) + Double((ky * y) % h) / Double(h)
                        let angle = -2 * Double.pi * phase
                        sumR += Double(plane[y * w + x]) * cos(angle)
                        sumI += Double(plane[y * w + x]) * sin(angle)
                    }
                }
                let i = spectrum.index(kx: kx, ky: ky)
                worst = max(worst, abs(Double(spectrum.real[i]) - sumR), abs(Double(spectrum.imaginary[i]) - sumI))
            }
        }
        #expect(worst < 1e-5 * Double(w * h).squareRoot() + 1e-6, "\(w)×\(h): max error \(worst)")

        let back = try plan.inverse(spectrum, threads: 3)
        let roundTrip = zip(back, plane).map { abs($0 - $1) }.max()!
        #expect(roundTrip < 1e-5, "\(w)×\(h): round trip error \(roundTrip)")
    }

    @Test("a product of spectra is a circular convolution")
    func convolutionTheorem() throws {
        let (w, h) = (12, 10)
        let plan = try FFT.RealPlan2D.shared(width: w, height: h)
        let image = randomValues(w * h, seed: 7)
        // A kernel with three taps at (0,0), (1,0) and (0,2) (circular positions).
        var kernel = [Float](repeating: 0, count: w * h)
        kernel[0] = 0.5
        kernel[1] = 0.25
        kernel[2 * w] = 0.25
        var product = try plan.forward(image)
        let transfer = try plan.forward(kernel)
        for i in product.real.indices {
            let (a, b) = (product.real[i], product.imaginary[i])
            let (c, d) = (transfer.real[i], transfer.imaginary[i])
            product.real[i] = a * c - b * d
            product.imaginary[i] = a * d + b * c
        }
        let result = try plan.inverse(product)
        for y in 0 ..< h {
            for x in 0 ..< w {
                let expected = 0.5 * image[y * w + x] + 0.25 * image[y * w + (x + w - 1) % w]
                    + 0.25 * image[((y + h - 2) % h) * w + x]
                #expect(abs(result[y * w + x] - expected) < 1e-5)
            }
        }
    }

    @Test("results do not depend on the thread count")
    func deterministicAcrossThreads() throws {
        let plan = try FFT.RealPlan2D(width: 40, height: 36)
        let plane = randomValues(40 * 36, seed: 3)
        let one = try plan.forward(plane, threads: 1)
        let four = try plan.forward(plane, threads: 4)
        #expect(one == four)
        #expect(try plan.inverse(one, threads: 1) == plan.inverse(one, threads: 4))
    }

    @Test("shared plans are cached per size")
    func planCache() throws {
        let a = try FFT.RealPlan2D.shared(width: 24, height: 18)
        let b = try FFT.RealPlan2D.shared(width: 24, height: 18)
        #expect(a === b)
        #expect(try FFT.ComplexPlan.shared(length: 24) === FFT.ComplexPlan.shared(length: 24))
    }

    @Test("mismatched sizes are invalid arguments")
    func invalidSizes() throws {
        #expect(throws: RestoreError.self) { try FFT.ComplexPlan(length: 0) }
        #expect(throws: RestoreError.self) { try FFT.RealPlan2D(width: 0, height: 4) }
        let plan = try FFT.RealPlan2D(width: 4, height: 4)
        #expect(throws: RestoreError.self) { try plan.forward([Float](repeating: 0, count: 15)) }
        var re = [Float](repeating: 0, count: 5), im = re
        #expect(throws: RestoreError.self) {
            try FFT.ComplexPlan(length: 4).forward(real: &re, imaginary: &im)
        }
    }
}
