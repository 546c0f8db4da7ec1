import Testing
@testable import RestoreKitCore

/// DaLPSR's degree levels (`DegradationLevels`) and the quality sentence.
@Suite struct AnalyzeLevelsTests {
    typealias Make = AnalyzePromptTests

    @Test(arguments: [(0.0, DegreeLevel.light), (0.2, .light), (0.89, .light), (0.91, .moderate),
                      (1.59, .moderate), (1.61, .heavy), (2.29, .heavy), (2.3, .heavy), (2.31, .severe),
                      (3.0, .severe), (8.0, .severe)])
    func blurLevels(sigma: Double, level: DegreeLevel) {
        #expect(DegradationLevels(blurSigma: sigma, noiseSigma: 0, jpegQuality: nil).blur == level)
    }

    @Test(arguments: [(0.0, DegreeLevel.light), (0.03, .light), (0.031, .moderate), (0.06, .moderate),
                      (0.061, .heavy), (0.09, .heavy), (0.091, .severe), (0.12, .severe), (0.5, .severe)])
    func noiseLevels(sigma: Double, level: DegreeLevel) {
        #expect(DegradationLevels(blurSigma: 0, noiseSigma: sigma, jpegQuality: nil).noise == level)
    }

    @Test(arguments: [(100, DegreeLevel.light), (92, .light), (77, .light), (76, .moderate), (61, .moderate),
                      (60, .heavy), (46, .heavy), (45, .severe), (30, .severe), (5, .severe)])
    func jpegLevels(quality: Int, level: DegreeLevel) {
        #expect(DegradationLevels(blurSigma: 0, noiseSigma: 0, jpegQuality: quality).jpeg == level)
    }

    @Test func noJPEGIsLight() {
        #expect(DegradationLevels(blurSigma: 0, noiseSigma: 0, jpegQuality: nil).jpeg == .light)
    }

    @Test func blurLevelBoundaryIsClosedAbove() {
        // σ 1.6 is the top of the moderate interval (degree exactly 0.5), but
        // (1.6 − 0.2) / 2.8 = 0.5000000000000001 in Double arithmetic, so it
        // reads as heavy; σ 0.9 (degree 0.25) and 2.3 (0.75) come out right.
        #expect(DegradationLevels(blurSigma: 0.9, noiseSigma: 0, jpegQuality: nil).blur == .light)
        #expect(DegradationLevels(blurSigma: 1.6, noiseSigma: 0, jpegQuality: nil).blur == .moderate)
    }

    @Test func analysisLevels() {
        let levels = Make.analysis(blur: 2.0, noise: 0.05, jpeg: 40).levels
        #expect(levels == DegradationLevels(blurSigma: 2.0, noiseSigma: 0.05, jpegQuality: 40))
        #expect(levels.blur == .heavy && levels.noise == .moderate && levels.jpeg == .severe)
        #expect(levels.description
                == "Deblur with sigma 0.5 ~ 0.75, Denoise with sigma 0.25 ~ 0.5, Dejpeg with sigma 0.75 ~ 1")
    }

    @Test func levelsTextParsesBack() throws {
        // DaLPSR's text is read by the prompt parser (each interval as its midpoint).
        let text = Make.analysis(blur: 1.2, noise: 0.02, jpeg: 70).levels.description
        let prompt = try RestorationPrompt.parse(text)
        #expect(prompt.deblur?.value != nil && prompt.denoise?.value != nil && prompt.dejpeg?.value != nil, "\(text)")
    }

    // MARK: - quality sentence

    @Test func cleanSentence() {
        #expect(Make.analysis().qualitySentence == "sharp, clean, no visible compression")
        // Below the prompt thresholds reads as absent.
        #expect(Make.analysis(blur: 0.5, noise: 0.007, jpeg: 95).qualitySentence
                == "sharp, clean, no visible compression")
        // A blur the prompt leaves out (below the margin) reads as sharp.
        let faint = Make.smallestStatedBlur - 0.01
        #expect(Make.analysis(blur: faint).prompt.deblur == nil)
        #expect(Make.analysis(blur: faint).qualitySentence.hasPrefix("sharp, "))
        // A moderate blur hidden by heavy JPEG too.
        #expect(Make.analysis(blur: 1.5, jpeg: 40).qualitySentence == "sharp, clean, severe JPEG blocking")
    }

    @Test(arguments: [(0.85, "slightly blurry"), (1.2, "blurry"), (2.0, "very blurry"), (2.8, "extremely blurry")])
    func blurWords(sigma: Double, words: String) {
        let sentence = Make.analysis(blur: sigma).qualitySentence
        #expect(sentence == "\(words), clean, no visible compression")
    }

    @Test(arguments: [(0.02, "slight noise"), (0.045, "noticeable noise"), (0.07, "strong noise"),
                      (0.1, "very strong noise")])
    func noiseWords(sigma: Double, words: String) {
        #expect(Make.analysis(noise: sigma).qualitySentence == "sharp, \(words), no visible compression")
    }

    @Test(arguments: [(85, "mild JPEG artefacts"), (70, "visible JPEG blocking"), (50, "strong JPEG blocking"),
                      (35, "severe JPEG blocking")])
    func jpegWords(quality: Int, words: String) {
        #expect(Make.analysis(jpeg: quality).qualitySentence == "sharp, clean, \(words)")
    }

    @Test func everythingAtOnce() {
        #expect(Make.analysis(blur: 1.2, noise: 0.07, jpeg: 50, factor: 2).qualitySentence
                == "blurry, strong noise, strong JPEG blocking, upscaled about 2× from a lower resolution")
        #expect(Make.analysis(factor: 1.5).qualitySentence.hasSuffix("upscaled about 1.5× from a lower resolution"))
        #expect(Make.analysis(factor: 4.0 / 3).qualitySentence.hasSuffix("upscaled about 1.3× from a lower resolution"))
    }

    @Test func signalDependentNoiseSaysWhere() {
        let brighter = [NoiseEstimate.Level(brightness: 0.2, sigma: 0.01), .init(brightness: 0.8, sigma: 0.04)]
        #expect(Make.analysis(noise: 0.03, signalDependent: true, byBrightness: brighter).qualitySentence
                == "sharp, slight noise (more in bright areas), no visible compression")
        let darker = [NoiseEstimate.Level(brightness: 0.2, sigma: 0.04), .init(brightness: 0.8, sigma: 0.01)]
        #expect(Make.analysis(noise: 0.03, signalDependent: true, byBrightness: darker).qualitySentence
                == "sharp, slight noise (more in dark areas), no visible compression")
        // Not signal-dependent: no remark, whatever the bands say.
        #expect(Make.analysis(noise: 0.03, byBrightness: brighter).qualitySentence
                == "sharp, slight noise, no visible compression")
    }
}
