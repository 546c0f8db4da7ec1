import Testing
@testable import RestoreKitCore

/// Quality, size rule, consistency with the degradation model, use of the
/// stated blur and noise, and argument checks.
@Suite struct BackProjectionUpsamplerTests {
    typealias T = UpsampleTestImages

    @Test(arguments: [(2.0, false), (2.0, true), (3.0, false), (3.0, true)])
    func beatsBicubic(factor: Double, gray: Bool) throws {
        let truth = T.truth(gray: gray)
        let low = T.degraded(truth, factor: factor)
        let ours = try T.upsample(low, with: BackProjectionUpsampler(factor: factor, blur: 0, noise: 0))
        let plain = T.bicubic(low, width: truth.width, height: truth.height)
        let crop = Int(factor)
        let gain = try PSNR.measure(ours, reference: truth, channels: .lumaY, crop: crop)
            - PSNR.measure(plain, reference: truth, channels: .lumaY, crop: crop)
        // Set5 gains are 2.0 dB at ×2 and 1.4 dB at ×3; on this crop of fine
        // fur they are about 0.7 and 0.45 dB.
        #expect(gain > (factor == 2 ? 0.5 : 0.3), "gain \(gain) dB at ×\(factor), gray \(gray)")
    }

    @Test func outputSizeIsEachSideTimesTheFactorRounded() throws {
        let cases: [(w: Int, h: Int, f: Double, out: (Int, Int))] = [
            (100, 50, 2, (200, 100)), (100, 50, 2.5, (250, 125)), (33, 7, 1.5, (50, 11)),
            (7, 5, 1.3, (9, 7)), (1, 1, 1, (1, 1)), (3, 2, 8, (24, 16)), (10, 10, 1.05, (11, 11)),
        ]
        for c in cases {
            let upsampler = BackProjectionUpsampler(factor: c.f, blur: 0, noise: 0)
            let size = upsampler.outputSize(width: c.w, height: c.h)
            #expect(size == c.out, "\(c.w)×\(c.h) × \(c.f)")
            #expect(size == RestorationPrompt(upsample: .value(c.f)).outputSize(width: c.w, height: c.h)!)
        }
        let low = T.degraded(T.truth(width: 40, height: 30), factor: 2)
        let result = try T.upsample(low, with: BackProjectionUpsampler(factor: 2.5, blur: 0, noise: 0))
        #expect((result.width, result.height) == (50, 38))
    }

    @Test func factorOneWithoutBlurReturnsTheInput() throws {
        let low = T.degraded(T.truth(width: 40, height: 30), factor: 2)
        let result = try T.upsample(low, with: BackProjectionUpsampler(factor: 1, blur: 0, noise: 0))
        #expect(zip(result.samples, low.samples).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test(arguments: [2.0, 2.5, 4.0])
    func downscalingTheResultReproducesTheInput(factor: Double) throws {
        let truth = T.truth()
        let low = T.degraded(truth, factor: factor)
        let ours = try T.upsample(low, with: BackProjectionUpsampler(factor: factor, blur: 0, noise: 0))
        let plain = T.bicubic(low, width: ours.width, height: ours.height)
        func consistency(_ image: Image) throws -> Double {
            let again = try image.resized(width: low.width, height: low.height, filter: .bicubic)
            return try PSNR.measure(again, reference: low)
        }
        let ourConsistency = try consistency(ours), plainConsistency = try consistency(plain)
        // 8-bit rounding of the input alone bounds this near 59 dB.
        #expect(ourConsistency > 44, "×\(factor): \(ourConsistency) dB")
        #expect(ourConsistency > plainConsistency + 10, "×\(factor): bicubic \(plainConsistency) dB")
    }

    @Test(arguments: [(2.0, 1.5), (3.0, 2.0)])
    func statedBlurIsUndone(factor: Double, blur: Double) throws {
        let truth = T.truth()
        let low = T.degraded(truth, factor: factor, blur: blur)
        let told = try T.upsample(low, with: BackProjectionUpsampler(factor: factor, blur: blur, noise: 0))
        let untold = try T.upsample(low, with: BackProjectionUpsampler(factor: factor, blur: 0, noise: 0))
        let crop = Int(factor)
        let gain = try PSNR.measure(told, reference: truth, channels: .lumaY, crop: crop)
            - PSNR.measure(untold, reference: truth, channels: .lumaY, crop: crop)
        #expect(gain > 1, "blur \(blur) at ×\(factor): \(gain) dB")
    }

    @Test func statedNoiseIsNotAmplified() throws {
        let truth = T.truth(gray: true)
        let noise = 0.05
        let low = T.degraded(truth, factor: 2, noise: noise)
        let told = try T.upsample(low, with: BackProjectionUpsampler(factor: 2, blur: 0, noise: noise))
        let untold = try T.upsample(low, with: BackProjectionUpsampler(factor: 2, blur: 0, noise: 0))
        let plain = T.bicubic(low, width: truth.width, height: truth.height)
        let psnrTold = try PSNR.measure(told, reference: truth, crop: 2)
        let psnrUntold = try PSNR.measure(untold, reference: truth, crop: 2)
        let psnrPlain = try PSNR.measure(plain, reference: truth, crop: 2)
        #expect(psnrTold > psnrUntold + 1, "told \(psnrTold), untold \(psnrUntold)")
        #expect(psnrTold > psnrPlain - 0.1, "told \(psnrTold), bicubic \(psnrPlain)")
    }

    @Test func resultIsTheSameOnAnyNumberOfThreads() throws {
        let low = T.degraded(T.truth(width: 60, height: 44), factor: 2.5)
        let upsampler = BackProjectionUpsampler(factor: 2.5, blur: 0.8, noise: 0.01)
        let one = try T.upsample(low, with: upsampler, context: RestorationContext(threads: 1))
        let two = try T.upsample(low, with: upsampler, context: RestorationContext(threads: 2))
        let again = try T.upsample(low, with: upsampler, context: RestorationContext(threads: 3))
        #expect(one == two)
        #expect(one == again)
    }

    @Test func rejectsParametersOutsideTheGrammarsRanges() throws {
        let low = T.degraded(T.truth(width: 20, height: 16), factor: 2)
        let cases: [(Double, Double, Double)] = [
            (0.5, 0, 0), (8.5, 0, 0), (.nan, 0, 0), (2, -1, 0), (2, 10.5, 0), (2, .infinity, 0),
            (2, 0, -0.1), (2, 0, 1.5), (2, 0, .nan),
        ]
        for (factor, blur, noise) in cases {
            let error = #expect(throws: RestoreError.self) {
                try T.upsample(low, with: BackProjectionUpsampler(factor: factor, blur: blur, noise: noise))
            }
            #expect(error?.kind == .invalidArgument)
        }
    }

    @Test func rejectsAnInputThatDoesNotMatchItsRegion() throws {
        let low = T.degraded(T.truth(width: 40, height: 32), factor: 2)
        let upsampler = BackProjectionUpsampler(factor: 2, blur: 0, noise: 0)
        let error = #expect(throws: RestoreError.self) {
            try upsampler.restore(low, at: Rect(x: 0, y: 0, width: 10, height: 10),
                                  producing: Rect(x: 0, y: 0, width: 8, height: 8),
                                  inputWidth: 40, inputHeight: 32, context: RestorationContext())
        }
        #expect(error?.kind == .invalidArgument)
    }
}
