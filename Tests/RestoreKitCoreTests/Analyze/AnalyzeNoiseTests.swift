import Testing
@testable import RestoreKitCore

/// Noise σ from weak-texture blocks (`NoiseEstimator`), through the analyser.
@Suite struct AnalyzeNoiseTests {
    /// The estimate must be within 15 % of the truth or 0.004, whichever is larger.
    static func tolerance(_ truth: Double) -> Double { max(0.15 * truth, 0.004) }

    @Test(arguments: [0.02, 0.05, 0.1])
    func colourNoiseAlone(sigma: Double) {
        let analysis = sigma == 0.05 ? AnalyzeFixtures.noisyAnalysis : DegradationAnalyzer().analyze(
            AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Denoise with sigma \(sigma)", seed: 11))
        #expect(abs(analysis.noise.sigma - sigma) <= Self.tolerance(sigma),
                "σ \(sigma): estimated \(analysis.noise.sigma)")
        #expect(analysis.noise.confidence > 0.5, "confidence \(analysis.noise.confidence)")
        // Noise alone: nothing else in the prompt.
        #expect(analysis.prompt.denoise?.value != nil)
        #expect(analysis.prompt.deblur == nil, "blur \(analysis.blur.sigma)")
        #expect(analysis.prompt.dejpeg == nil, "JPEG \(String(describing: analysis.jpeg.quality))")
        #expect(analysis.jpeg.quality == nil)
        #expect(analysis.upsampling.factor == 1)
    }

    @Test func grayNoiseAlone() {
        let clean = AnalyzeTestImages.scene(gray: true)
        let noisy = AnalyzeTestImages.degraded(clean, "Denoise with sigma 0.05", seed: 12)
        let analysis = DegradationAnalyzer().analyze(noisy)
        #expect(abs(analysis.noise.sigma - 0.05) <= Self.tolerance(0.05), "estimated \(analysis.noise.sigma)")
        #expect(analysis.prompt.deblur == nil && analysis.prompt.dejpeg == nil, "\(analysis.prompt)")
    }

    @Test func cleanPictureIsBelowTheNoiseThreshold() {
        let analysis = AnalyzeFixtures.cleanAnalysis
        #expect(analysis.noise.sigma < DegradationAnalysis.noiseThreshold, "estimated \(analysis.noise.sigma)")
        #expect(analysis.prompt.denoise == nil)
    }

    @Test func uniformNoiseIsNotSignalDependent() {
        // Colour noise of one σ everywhere: the bands agree.
        let noise = AnalyzeFixtures.noisyAnalysis.noise
        #expect(!noise.signalDependent, "\(noise.byBrightness)")
        for level in noise.byBrightness {
            #expect(abs(level.sigma - 0.05) <= 0.01, "band at \(level.brightness): \(level.sigma)")
        }
    }

    /// Noise that grows with brightness (σ = 0.01 + 0.05 × level, as shot
    /// noise does) on a ramp from dark to bright: the prompt states σ at the
    /// tones, each within 20 % of the truth, and its mid-grey σ.
    @Test func brightnessDependentNoiseIsRecovered() throws {
        let (w, h) = (384, 256)
        var generator = SeededGenerator(seed: 31)
        func truth(_ level: Double) -> Double { 0.01 + 0.05 * level }
        var image = try Image(width: w, height: h, layout: .rgb)
        for c in 0 ..< 3 {
            for y in 0 ..< h {
                for x in 0 ..< w {
                    let level = 0.05 + 0.9 * Double(x) / Double(w - 1) + 0.02 * Double(c)
                    image.samples[(c * h + y) * w + x] = Float(level + truth(level) * generator.nextNormal())
                }
            }
        }
        let analysis = DegradationAnalyzer().analyze(AnalyzeTestImages.eightBit(image))
        #expect(analysis.noise.signalDependent, "\(analysis.noise.byBrightness)")
        let profile = try #require(analysis.prompt.denoiseProfile, "\(analysis.prompt)")
        #expect(profile.tones.count == 3, "\(analysis.prompt)")
        for (tone, sigma) in profile.tones {
            #expect(abs(sigma - truth(tone.level)) <= 0.2 * truth(tone.level), "\(tone): \(sigma)")
        }
        #expect(analysis.prompt.denoise == .value(profile.midGreySigma(uniform: 0)))
        #expect(try analysis.filling(RestorationPrompt(denoise: .estimate)).denoiseProfile == profile)
    }

    /// A camera's noise (shot and read noise through demosaicing, colour
    /// matrix and tone curve): recognised as grain, σ at mid-grey within 20 %
    /// of the truth, grain within 25 %. White noise is not called grain.
    @Test func cameraNoiseIsRecognisedAsGrain() throws {
        var generator = SeededGenerator(seed: 5)
        var p = CameraPipeline.sample(using: &generator).0
        (p.shotNoise, p.readNoise, p.sharpening) = (0.004, 0.00002, 0)
        let clean = try CameraPipeline.render(AnalyzeTestImages.clean, p, noiseSeed: nil)
        let noisy = try CameraPipeline.render(AnalyzeTestImages.clean, p, noiseSeed: 3)
        let truth = CameraNoiseModel(noisy: noisy, clean: clean)
        let analysis = DegradationAnalyzer().analyze(AnalyzeTestImages.eightBit(noisy))
        let profile = try #require(analysis.prompt.denoiseProfile, "\(analysis.prompt)")
        let mid = truth.profile.midGreySigma(uniform: truth.sigma)
        let found = try #require(analysis.prompt.denoise?.value)
        #expect(abs(found - mid) <= 0.2 * mid, "σ \(found), truth at mid-grey \(mid)")
        #expect(abs(profile.grain - truth.grain) <= 0.25 * truth.grain, "grain \(profile.grain), truth \(truth.grain)")
        #expect(AnalyzeFixtures.noisyAnalysis.noise.grain < NoiseEstimate.grainThreshold)
        #expect(AnalyzeFixtures.noisyAnalysis.prompt.denoiseProfile == nil)
    }

    @Test func rawCalibrationLeavesTheMeasurement() {
        // With `raw` constants the estimate is the lower-half measurement itself;
        // the fitted gain is close to 1, so the two agree to a few per cent.
        let fitted = AnalyzeFixtures.noisyAnalysis.noise.sigma
        let raw = NoiseEstimator(gain: AnalysisCalibration.raw.noiseGain, floor: AnalysisCalibration.raw.noiseFloor)
            .estimate(AnalysisPlanes(AnalyzeFixtures.noisy)).sigma
        let c = AnalysisCalibration.fitted
        let expected = max(0, (c.noiseGain * raw) * (c.noiseGain * raw) - c.noiseFloor * c.noiseFloor).squareRoot()
        #expect(abs(fitted - expected) < 1e-12, "fitted \(fitted), raw \(raw)")
    }
}
