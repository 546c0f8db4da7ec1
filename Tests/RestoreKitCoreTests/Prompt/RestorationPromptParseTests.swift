import Testing
@testable import RestoreKitCore

/// Every accepted form of the restoration-prompt language, text → value.
@Suite("Restoration prompt: accepted forms")
struct RestorationPromptParseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var prompt: RestorationPrompt
        var testDescription: String { "\"\(text)\"" }

        init(_ text: String, _ prompt: RestorationPrompt) {
            self.text = text
            self.prompt = prompt
        }
    }

    static let empty: [Case] = [
        Case("", RestorationPrompt()),
        Case("   \t\n ", RestorationPrompt()),
        Case(", ;. and", RestorationPrompt()),
    ]

    static let deblur: [Case] = [
        Case("Deblur", RestorationPrompt(deblur: .estimate)),
        Case("Deblur with sigma 2.0", RestorationPrompt(deblur: .value(2))),
        Case("deblur with sigma 2", RestorationPrompt(deblur: .value(2))),
        Case("DEBLUR WITH SIGMA 3.5", RestorationPrompt(deblur: .value(3.5))),
        Case("dEbLuR wItH sIgMa 0.3", RestorationPrompt(deblur: .value(0.3))),
        Case("Deblur sigma 0.3", RestorationPrompt(deblur: .value(0.3))),
        Case("Deblur 0.6", RestorationPrompt(deblur: .value(0.6))),
        Case("Deblur with sigma2", RestorationPrompt(deblur: .value(2))),
        Case("Deblur with sigma 10", RestorationPrompt(deblur: .value(10))),
        Case("Deblur with sigma 1e-3", RestorationPrompt(deblur: .value(0.001))),
        Case("  deblur\twith\nsigma   2.5  ", RestorationPrompt(deblur: .value(2.5))),
        // DaLPSR's interval form: the midpoint degree over SPIRE's 0.2–3.0.
        Case("Deblur with sigma 0.5 ~ 0.75", RestorationPrompt(deblur: .value(1.95))),
        Case("deblur with sigma 0~0.25", RestorationPrompt(deblur: .value(0.55))),
        Case("Deblur with sigma 0.25 \u{223C} 0.5", RestorationPrompt(deblur: .value(1.25))),
        Case("Deblur 0.75 ~ 1", RestorationPrompt(deblur: .value(2.65))),
        Case("Deblur with sigma 0 ~ 0", RestorationPrompt(deblur: .value(0.2))),
        Case("Deblur with sigma 1 ~ 1", RestorationPrompt(deblur: .value(3))),
    ]

    static let upsample: [Case] = [
        Case("Upsample", RestorationPrompt(upsample: .estimate)),
        Case("Upscale", RestorationPrompt(upsample: .estimate)),
        Case("Upsample to 4", RestorationPrompt(upsample: .value(4))),
        Case("Upsample to 2.5", RestorationPrompt(upsample: .value(2.5))),
        Case("upsample by 3", RestorationPrompt(upsample: .value(3))),
        Case("Upsample 4", RestorationPrompt(upsample: .value(4))),
        Case("upscale 2x", RestorationPrompt(upsample: .value(2))),
        Case("Upscale 2 x", RestorationPrompt(upsample: .value(2))),
        Case("Upscale 2 X", RestorationPrompt(upsample: .value(2))),
        Case("Upscale ×2", RestorationPrompt(upsample: .value(2))),
        Case("upscale x2", RestorationPrompt(upsample: .value(2))),
        Case("Upsample to 4x", RestorationPrompt(upsample: .value(4))),
        Case("Upscale to 3×", RestorationPrompt(upsample: .value(3))),
        Case("×2", RestorationPrompt(upsample: .value(2))),
        Case("x2", RestorationPrompt(upsample: .value(2))),
        Case("X 3", RestorationPrompt(upsample: .value(3))),
        Case("2x", RestorationPrompt(upsample: .value(2))),
        Case("3 ×", RestorationPrompt(upsample: .value(3))),
        Case("1.5x", RestorationPrompt(upsample: .value(1.5))),
        Case("Upsample to 1", RestorationPrompt(upsample: .value(1))),
        Case("Upsample to 8", RestorationPrompt(upsample: .value(8))),
        Case("Upsample to 0.25 ~ 0.5", RestorationPrompt(upsample: .value(3.25))),
    ]

    static let denoise: [Case] = [
        Case("Denoise", RestorationPrompt(denoise: .estimate)),
        Case("Denoise with sigma 0.05", RestorationPrompt(denoise: .value(0.05))),
        Case("denoise sigma 0.12", RestorationPrompt(denoise: .value(0.12))),
        Case("Denoise 0.06", RestorationPrompt(denoise: .value(0.06))),
        Case("Denoise with sigma 0", RestorationPrompt(denoise: .value(0))),
        Case("Denoise with sigma -0", RestorationPrompt(denoise: .value(0))),
        Case("Denoise with sigma 1", RestorationPrompt(denoise: .value(1))),
        Case("Denoise with sigma 15/255", RestorationPrompt(denoise: .value(15.0 / 255))),
        Case("Denoise 25 / 255", RestorationPrompt(denoise: .value(25.0 / 255))),
        Case("Denoise with sigma 0.25 ~ 0.5", RestorationPrompt(denoise: .value(0.045))),
        Case("Denoise with sigma 0 ~ 1", RestorationPrompt(denoise: .value(0.06))),
    ]

    /// σ by brightness (mid-grey σ interpolated between the stated tones) and grain.
    static let noiseProfiles: [Case] = [
        Case("Denoise with sigma 0.06 in shadows, 0.02 in highlights",
             RestorationPrompt(denoise: .value(0.04),
                               denoiseProfile: NoiseProfile(tones: [.shadows: 0.06, .highlights: 0.02]))),
        Case("denoise 0.03 in highlight and 0.05 in midtone",
             RestorationPrompt(denoise: .value(0.05),
                               denoiseProfile: NoiseProfile(tones: [.midtones: 0.05, .highlights: 0.03]))),
        Case("Denoise 0.04 in shadows 0.05 in midtones 0.03 in highlights grain 2 px",
             RestorationPrompt(denoise: .value(0.05),
                               denoiseProfile: NoiseProfile(tones: [.shadows: 0.04, .midtones: 0.05,
                                                                    .highlights: 0.03], grain: 2))),
        Case("Denoise with sigma 15/255, grain 2.5; upscale 2x",
             RestorationPrompt(upsample: .value(2), denoise: .value(15.0 / 255),
                               denoiseProfile: NoiseProfile(grain: 2.5))),
        Case("Denoise 0.05, grain 1", RestorationPrompt(denoise: .value(0.05))),
    ]

    static let dejpeg: [Case] = [
        Case("Dejpeg", RestorationPrompt(dejpeg: .estimate)),
        Case("Dejpeg with quality 40", RestorationPrompt(dejpeg: .value(40))),
        Case("dejpeg quality 92", RestorationPrompt(dejpeg: .value(92))),
        Case("Dejpeg 30", RestorationPrompt(dejpeg: .value(30))),
        Case("Dejpeg with quality 40.0", RestorationPrompt(dejpeg: .value(40))),
        Case("Dejpeg with quality 1", RestorationPrompt(dejpeg: .value(1))),
        Case("Dejpeg with quality 100", RestorationPrompt(dejpeg: .value(100))),
        // DaLPSR writes "sigma" for JPEG too: degree 0 is quality 92, 1 is 30.
        Case("Dejpeg with sigma 0 ~ 0.25", RestorationPrompt(dejpeg: .value(84))),
        Case("Dejpeg sigma 0.25 ~ 0.5", RestorationPrompt(dejpeg: .value(69))),
        Case("Dejpeg with quality 0.5 ~ 0.75", RestorationPrompt(dejpeg: .value(53))),
        Case("Dejpeg 0.75 ~ 1", RestorationPrompt(dejpeg: .value(38))),
        Case("Dejpeg with sigma 0.5 ~ 0.5", RestorationPrompt(dejpeg: .value(61))),
    ]

    static let blind: [Case] = [
        Case("Remove all degradation", RestorationPrompt(removeAllDegradation: true)),
        Case("remove all degradations", RestorationPrompt(removeAllDegradation: true)),
        Case("REMOVE ALL DEGRADATION.", RestorationPrompt(removeAllDegradation: true)),
        Case("Remove all degradation, Deblur with sigma 1.5",
             RestorationPrompt(deblur: .value(1.5), removeAllDegradation: true)),
        Case("Denoise and remove all degradation",
             RestorationPrompt(denoise: .estimate, removeAllDegradation: true)),
    ]

    static let combined: [Case] = [
        // SPIRE's order of degradations, as its paper writes the prompt.
        Case("Deblur with sigma 3.0, Denoise with sigma 0.06, Dejpeg with quality 40, Upsample to 4",
             RestorationPrompt(deblur: .value(3), upsample: .value(4), denoise: .value(0.06), dejpeg: .value(40))),
        // DaLPSR's example output.
        Case("Deblur with sigma 0.5 ~ 0.75, Denoise with sigma 0.25 ~ 0.5, Dejpeg with sigma 0 ~ 0.25",
             RestorationPrompt(deblur: .value(1.95), denoise: .value(0.045), dejpeg: .value(84))),
        Case("deblur 1.5 and upscale 2x",
             RestorationPrompt(deblur: .value(1.5), upsample: .value(2))),
        Case("Deblur; Denoise", RestorationPrompt(deblur: .estimate, denoise: .estimate)),
        Case("Deblur. Denoise.", RestorationPrompt(deblur: .estimate, denoise: .estimate)),
        Case("Deblur, and Denoise", RestorationPrompt(deblur: .estimate, denoise: .estimate)),
        Case("Deblur with sigma 2.Denoise", RestorationPrompt(deblur: .value(2), denoise: .estimate)),
        Case("Deblur 2.5.Denoise", RestorationPrompt(deblur: .value(2.5), denoise: .estimate)),
        Case("Deblur 2. 5x", RestorationPrompt(deblur: .value(2), upsample: .value(5))),
        Case(",Dejpeg 50;;upsample,", RestorationPrompt(upsample: .estimate, dejpeg: .value(50))),
        Case("Upsample, Deblur, Dejpeg, Denoise",
             RestorationPrompt(deblur: .estimate, upsample: .estimate, denoise: .estimate, dejpeg: .estimate)),
    ]

    /// Identical repeats are accepted, however they are spelt.
    static let repeats: [Case] = [
        Case("Deblur 2 and deblur with sigma 2.0", RestorationPrompt(deblur: .value(2))),
        Case("Upsample to 2, x2, 2x", RestorationPrompt(upsample: .value(2))),
        Case("Denoise, denoise", RestorationPrompt(denoise: .estimate)),
        Case("Denoise 0.045, Denoise with sigma 0.25 ~ 0.5", RestorationPrompt(denoise: .value(0.045))),
        Case("Dejpeg 84, Dejpeg with sigma 0 ~ 0.25", RestorationPrompt(dejpeg: .value(84))),
        Case("Remove all degradation, remove all degradations", RestorationPrompt(removeAllDegradation: true)),
    ]

    @Test(arguments: empty + deblur + upsample + denoise + noiseProfiles + dejpeg + blind + combined + repeats)
    func parses(_ c: Case) throws {
        #expect(try RestorationPrompt.parse(c.text) == c.prompt)
    }

    @Test func emptyPromptIsEmpty() throws {
        let prompt = try RestorationPrompt.parse(" \n")
        #expect(prompt.isEmpty)
        #expect(prompt.needsEstimate)
        #expect(prompt.description == "")
    }

    @Test func negativeZeroNoiseReadsAsPositiveZero() throws {
        let sigma = try #require(try RestorationPrompt.parse("Denoise -0.0").denoise?.value)
        #expect(sigma.sign == .plus)
    }
}

@Suite("Noise profile")
struct NoiseProfileTests {
    @Test func sigmaIsInterpolatedBetweenTonesAndHeldBeyond() {
        let profile = NoiseProfile(tones: [.shadows: 0.06, .highlights: 0.02])
        #expect(profile.sigma(at: 0, uniform: 1) == 0.06)
        #expect(profile.sigma(at: 0.15, uniform: 1) == 0.06)
        #expect(abs(profile.sigma(at: 0.5, uniform: 1) - 0.04) < 1e-15)
        #expect(profile.sigma(at: 1, uniform: 1) == 0.02)
        #expect(NoiseProfile(grain: 2).sigma(at: 0.3, uniform: 0.05) == 0.05)
        #expect(profile.maximumSigma(uniform: 0.01) == 0.06)
    }
}
