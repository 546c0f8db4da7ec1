import Testing
@testable import RestoreKitCore

/// Gaussian blur σ from step-edge profiles (`BlurEstimator`), through the analyser.
@Suite struct AnalyzeBlurTests {
    @Test(arguments: [1.0, 2.0])
    func gaussianBlurWithTinyNoise(sigma: Double) {
        let blurred = AnalyzeTestImages.degraded(AnalyzeTestImages.clean,
                                                 "Deblur with sigma \(sigma), Denoise with sigma 0.002", seed: 21)
        let analysis = DegradationAnalyzer().analyze(blurred)
        #expect(abs(analysis.blur.sigma - sigma) <= 0.3, "σ \(sigma): estimated \(analysis.blur.sigma)")
        #expect(analysis.blur.confidence > 0.5, "confidence \(analysis.blur.confidence), \(analysis.blur.edges) edges")
        #expect(analysis.blur.edges >= 10)
        // Tiny noise and no JPEG: only the blur clause.
        #expect(analysis.prompt.deblur?.value != nil)
        #expect(analysis.prompt.denoise == nil, "noise \(analysis.noise.sigma)")
        #expect(analysis.prompt.dejpeg == nil)
    }

    @Test func strongerBlurMeasuresWider() {
        let estimates = [0.8, 1.5].map { sigma in
            DegradationAnalyzer().analyze(
                AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Deblur with sigma \(sigma)")).blur.sigma
        }
        #expect(estimates[0] + 0.4 < estimates[1], "\(estimates)")
    }

    @Test func cleanPictureIsSharp() {
        let blur = AnalyzeFixtures.cleanAnalysis.blur
        #expect(blur.sigma < DegradationAnalysis.blurThreshold, "estimated \(blur.sigma)")
        #expect(blur.smoothing == 0)
        #expect(AnalyzeFixtures.cleanAnalysis.prompt.deblur == nil)
    }

    @Test func noisyBlurIsSmoothedFirst() {
        // Noise of 0.05 asks for a smoothing of 30 × luma σ, capped at 1.5 px;
        // the blur is still found.
        let image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean,
                                               "Deblur with sigma 2.0, Denoise with sigma 0.05", seed: 22)
        let analysis = DegradationAnalyzer().analyze(image)
        #expect(analysis.blur.smoothing > 0.3)
        #expect(abs(analysis.blur.sigma - 2.0) <= 0.5, "estimated \(analysis.blur.sigma)")
        #expect(abs(analysis.noise.sigma - 0.05) <= 0.0075, "noise \(analysis.noise.sigma)")
    }
}
