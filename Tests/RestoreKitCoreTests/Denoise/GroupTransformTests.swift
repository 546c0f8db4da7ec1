import Testing
@testable import RestoreKitCore

@Suite struct GroupTransformTests {
    @Test(arguments: [1, 2, 4, 8, 16, 32])
    func haarIsOrthogonalAndInvertible(size: Int) {
        let group = PatchGroup(capacity: 32)
        var original: [Float] = []
        for i in 0 ..< size * 64 {
            group.coefficients[i] = Float((i * 37) % 101) / 50 - 1
            original.append(group.coefficients[i])
        }
        group.haar(size: size)
        // Member 0 is the sum over the group; member 1 (if any) the difference of the first two.
        let sum = (0 ..< size).map { original[$0 * 64 + 5] }.reduce(0, +)
        #expect(abs(group.coefficients[5] - sum) < 1e-4)
        if size > 1 { #expect(abs(group.coefficients[64 + 5] - (original[5] - original[64 + 5])) < 1e-5) }
        // Parseval for an orthogonal basis of squared norms norm2.
        var energy = 0.0, transformed = 0.0
        for m in 0 ..< size {
            let norm2 = PatchGroup.norm2(member: m, size: size)
            for k in 0 ..< 64 {
                energy += Double(original[m * 64 + k] * original[m * 64 + k])
                let c = group.coefficients[m * 64 + k]
                transformed += Double(c * c / norm2)
                group.coefficients[m * 64 + k] = c / norm2
            }
        }
        #expect(abs(energy - transformed) < 1e-3 * energy)
        group.inverseHaar(size: size)
        for i in 0 ..< size * 64 { #expect(abs(group.coefficients[i] - original[i]) < 1e-5) }
    }

    @Test func hardThresholdingKeepsLargeCoefficientsAndTheDC() {
        let group = PatchGroup(capacity: 2)
        for i in 0 ..< 128 { group.coefficients[i] = i % 3 == 0 ? 2 : 0.5 }
        group.coefficients[0] = 0.1
        // Both members have squared norm 2: the threshold 1 becomes √2 on these values.
        let kept = HardThresholding.apply(group, size: 2, threshold: 1)
        let large = (1 ..< 128).filter { $0 % 3 == 0 }.count
        #expect(kept == large + 1)
        #expect(abs(group.coefficients[0] - 0.05) < 1e-7)
        #expect(group.coefficients[3] == 1 && group.coefficients[4] == 0)
    }

    @Test func wienerShrinkageFollowsThePilot() {
        let noisy = PatchGroup(capacity: 1), pilot = PatchGroup(capacity: 1)
        for i in 0 ..< 64 {
            noisy.coefficients[i] = 1
            pilot.coefficients[i] = i == 0 ? 3 : 0
        }
        let energy = WienerShrinkage.apply(noisy, pilot: pilot, size: 1, noiseVariance: 1)
        #expect(abs(noisy.coefficients[0] - 0.9) < 1e-6)
        #expect(noisy.coefficients[1] == 0)
        #expect(abs(energy - 0.81) < 1e-6)
    }

    @Test func kaiserWindowIsSymmetricAndPeaksInTheMiddle() {
        let w = KaiserWindow.coefficients(length: 8, beta: 2)
        for n in 0 ..< 4 { #expect(abs(w[n] - w[7 - n]) < 1e-6) }
        #expect(w[3] > w[2] && w[2] > w[1] && w[1] > w[0])
        #expect(abs(w[0] - Float(1 / KaiserWindow.besselI0(2))) < 1e-6)
        #expect(abs(KaiserWindow.besselI0(2) - 2.2795853023360673) < 1e-12)
    }

    @Test func opponentColourRoundTripsAndKeepsNoiseLevels() {
        let rgb: [Float] = [0.2, 0.9, 0.5, 0.7, 0.1, 0.3]   // 2 pixels, planar
        var yuv = [Float](repeating: 0, count: 6), back = [Float](repeating: 0, count: 6)
        rgb.withUnsafeBufferPointer { src in
            yuv.withUnsafeMutableBufferPointer { OpponentColor.forward(src, $0, count: 2) }
        }
        yuv.withUnsafeBufferPointer { src in
            back.withUnsafeMutableBufferPointer { OpponentColor.inverse(src, $0, count: 2) }
        }
        for i in 0 ..< 6 { #expect(abs(back[i] - rgb[i]) < 1e-6) }
        // Orthonormal: the energy of each pixel is kept, so white noise keeps its σ.
        for p in 0 ..< 2 {
            let e1 = (0 ..< 3).map { rgb[$0 * 2 + p] * rgb[$0 * 2 + p] }.reduce(0, +)
            let e2 = (0 ..< 3).map { yuv[$0 * 2 + p] * yuv[$0 * 2 + p] }.reduce(0, +)
            #expect(abs(e1 - e2) < 1e-5)
        }
    }
}
