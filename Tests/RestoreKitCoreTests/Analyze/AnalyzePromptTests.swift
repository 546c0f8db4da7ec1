import Testing
@testable import RestoreKitCore

/// `DegradationAnalysis.prompt` and `filling(_:)`, on analyses with chosen estimates.
@Suite struct AnalyzePromptTests {
    /// An analysis with the given estimates (confidences 1 but the noise's).
    static func analysis(blur: Double = 0, noise: Double = 0, noiseConfidence: Double = 1, jpeg: Int? = nil,
                         factor: Double = 1, signalDependent: Bool = false,
                         byBrightness: [NoiseEstimate.Level] = []) -> DegradationAnalysis {
        DegradationAnalysis(
            noise: NoiseEstimate(sigma: noise, confidence: noiseConfidence, byBrightness: byBrightness,
                                 signalDependent: signalDependent),
            blur: BlurEstimate(sigma: blur, confidence: 1, edges: 100, smoothing: 0),
            jpeg: JPEGEstimate(quality: jpeg, confidence: 1, source: jpeg == nil ? nil : .pixels, exact: false,
                               gridOffset: jpeg == nil ? nil : (0, 0)),
            upsampling: UpsamplingEstimate(factor: factor, confidence: factor > 1 ? 1 : 0))
    }

    static func parse(_ text: String) -> RestorationPrompt { try! RestorationPrompt.parse(text) }

    /// The blur σ the prompt states for an estimate (no JPEG below quality
    /// 50): shrunk in quadrature by `blurMargin`, rounded to 0.01, 0 below
    /// `blurThreshold`.
    static func statedBlur(_ sigma: Double) -> Double {
        let shrunk = max(0, sigma * sigma - DegradationAnalysis.blurMargin * DegradationAnalysis.blurMargin).squareRoot()
        return shrunk >= DegradationAnalysis.blurThreshold ? (shrunk * 100).rounded() / 100 : 0
    }

    /// The smallest blur estimate the prompt states.
    static let smallestStatedBlur = (DegradationAnalysis.blurThreshold * DegradationAnalysis.blurThreshold
        + DegradationAnalysis.blurMargin * DegradationAnalysis.blurMargin).squareRoot()

    // MARK: - prompt

    @Test func cleanAnalysisGivesTheEmptyPrompt() throws {
        let prompt = Self.analysis().prompt
        #expect(prompt.isEmpty)
        #expect(prompt.description == "")
    }

    @Test func everyClauseInCanonicalOrderWithRoundedValues() throws {
        let prompt = Self.analysis(blur: 2.5, noise: 0.04567, jpeg: 55, factor: 2).prompt
        let blur = Self.statedBlur(2.5)
        // 2.5 px shrunk by the margin, within 0.01 px of the formula's value.
        #expect(blur > 0 && blur < 2.5)
        #expect(prompt.deblur == .value(blur))
        #expect(prompt.denoise == .value(0.046))
        #expect(prompt.dejpeg == .value(55))
        #expect(prompt.upsample == nil)
        #expect(!prompt.removeAllDegradation)
        #expect(prompt.description
                == "Deblur with sigma \(blur.plainDecimalDescription), Denoise with sigma 0.046, Dejpeg with quality 55")
        // The text parses back to the same prompt.
        #expect(try RestorationPrompt.parse(prompt.description) == prompt)
    }

    @Test func blurIsStatedAboveTheMargin() throws {
        // With the current constants (threshold 0.6, margin 0.5) that is 0.78 px.
        let edge = Self.smallestStatedBlur
        #expect(Self.analysis(blur: edge - 0.01).prompt.deblur == nil)
        #expect(Self.analysis(blur: edge + 0.01).prompt.deblur == .value(Self.statedBlur(edge + 0.01)))
        #expect(Self.statedBlur(edge + 0.01) >= DegradationAnalysis.blurThreshold)
        // Estimates shrink, never grow.
        for sigma in [1.0, 1.5, 2.0, 3.0, 5.0] {
            let stated = Self.analysis(blur: sigma).prompt.deblur?.value
            #expect(stated.map { $0 < sigma && $0 > sigma - DegradationAnalysis.blurMargin } == true, "\(sigma): \(String(describing: stated))")
        }
    }

    @Test func heavyJPEGHidesModerateBlur() throws {
        // Below quality 50 coarse quantisation softens edges like a blur: only
        // blurs of 2 px and more are stated there.
        let q = DegradationAnalysis.compressedBlurQuality, minimum = DegradationAnalysis.compressedBlurMinimum
        #expect(Self.analysis(blur: minimum - 0.1, jpeg: q - 1).prompt.deblur == nil)
        #expect(Self.analysis(blur: minimum + 0.1, jpeg: q - 1).prompt.deblur == .value(Self.statedBlur(minimum + 0.1)))
        #expect(Self.analysis(blur: minimum - 0.1, jpeg: q).prompt.deblur == .value(Self.statedBlur(minimum - 0.1)))
        #expect(Self.analysis(blur: minimum - 0.1).prompt.deblur == .value(Self.statedBlur(minimum - 0.1)))
    }

    @Test func noiseAndJPEGThresholds() throws {
        // Noise: 0.008 and up (after rounding to 0.001).
        #expect(Self.analysis(noise: 0.0074).prompt.denoise == nil)
        #expect(Self.analysis(noise: 0.0079).prompt.denoise == .value(0.008))
        // JPEG: quality 92 and below.
        #expect(Self.analysis(jpeg: 92).prompt.dejpeg == .value(92))
        #expect(Self.analysis(jpeg: 93).prompt.dejpeg == nil)
        #expect(Self.analysis(jpeg: 100).prompt.isEmpty)
    }

    @Test func onlyThePresentDegradationsAreStated() throws {
        #expect(Self.analysis(noise: 0.03).prompt.description == "Denoise with sigma 0.03")
        #expect(Self.analysis(jpeg: 40).prompt.description == "Dejpeg with quality 40")
        let blurAndJPEG = Self.analysis(blur: 2.5, jpeg: 60).prompt
        #expect(blurAndJPEG.deblur != nil && blurAndJPEG.denoise == nil && blurAndJPEG.dejpeg == .value(60))
    }

    // MARK: - filling

    /// Blur 1.234 px (stated shrunk), noise 0.04567, JPEG quality 55.
    static let measured = analysis(blur: 1.234, noise: 0.04567, jpeg: 55)

    @Test func statedValuesAreKept() throws {
        let stated = Self.parse("Deblur with sigma 2.0, Upsample to 2, Denoise with sigma 0.1, Dejpeg with quality 40")
        #expect(try Self.measured.filling(stated) == stated)
    }

    @Test func bareVerbsGetTheEstimates() throws {
        // A bare "Deblur" gets the estimate itself, without the margin.
        let filled = try Self.measured.filling(Self.parse("Deblur, Denoise, Dejpeg"))
        #expect(filled == Self.parse("Deblur with sigma 1.23, Denoise with sigma 0.046, Dejpeg with quality 55"))
        // One bare verb fills only its own clause.
        #expect(try Self.measured.filling(Self.parse("Denoise")) == Self.parse("Denoise with sigma 0.046"))
        // Mixed: the stated one stays.
        #expect(try Self.measured.filling(Self.parse("Deblur with sigma 3.0, Dejpeg"))
                == Self.parse("Deblur with sigma 3.0, Dejpeg with quality 55"))
    }

    @Test func bareVerbsGetEvenSmallEstimates() throws {
        // Below the prompt's thresholds, a bare verb still gets the estimate …
        let faint = Self.analysis(blur: 0.3, noise: 0.002, jpeg: 97)
        #expect(faint.prompt.isEmpty)
        #expect(try faint.filling(Self.parse("Deblur, Denoise, Dejpeg"))
                == Self.parse("Deblur with sigma 0.3, Denoise with sigma 0.002, Dejpeg with quality 97"))
        // … and is dropped when there is nothing to remove (no blur, no JPEG).
        let none = Self.analysis()
        #expect(try none.filling(Self.parse("Deblur, Dejpeg")).isEmpty)
        #expect(try none.filling(Self.parse("Denoise")) == Self.parse("Denoise with sigma 0.0"))
    }

    /// Noise measured without confidence: no number in the prompt, and a
    /// bare "Denoise" refused with a request for one.
    @Test func lowConfidenceLeadsToNoNumber() throws {
        let unsure = Self.analysis(noise: 0.03, noiseConfidence: 0.01, jpeg: 40)
        #expect(unsure.prompt == Self.parse("Dejpeg with quality 40"))
        #expect(try unsure.filling(RestorationPrompt()) == Self.parse("Dejpeg with quality 40"))
        #expect(try unsure.filling(Self.parse("Denoise with sigma 0.02")) == Self.parse("Denoise with sigma 0.02"))
        let error = #expect(throws: RestoreError.self) { try unsure.filling(Self.parse("Denoise")) }
        #expect(error?.kind == .invalidPrompt)
        #expect(error?.message.contains("state it, e.g. 'Denoise with sigma 0.03'") == true, "\(String(describing: error))")
        let sure = Self.analysis(noise: 0.03, noiseConfidence: DegradationAnalysis.noiseConfidenceThreshold)
        #expect(sure.prompt == Self.parse("Denoise with sigma 0.03"))
    }

    @Test func emptyPromptBecomesTheAnalysedClauses() throws {
        let expected = RestorationPrompt(deblur: .value(Self.statedBlur(1.234)), denoise: .value(0.046), dejpeg: .value(55))
        #expect(Self.measured.prompt == expected)
        #expect(try Self.measured.filling(RestorationPrompt()) == expected)
        // Below the thresholds nothing is added.
        #expect(try Self.analysis(blur: 0.3, noise: 0.002, jpeg: 97).filling(RestorationPrompt()).isEmpty)
    }

    @Test func removeAllDegradationBecomesTheAnalysedClauses() throws {
        let filled = try Self.measured.filling(Self.parse("Remove all degradation"))
        #expect(filled == Self.measured.prompt)
        #expect(!filled.removeAllDegradation)
        // Stated clauses stay; the rest come from the analysis.
        #expect(try Self.measured.filling(Self.parse("Denoise with sigma 0.1, Remove all degradation"))
                == RestorationPrompt(deblur: Self.measured.prompt.deblur, denoise: .value(0.1), dejpeg: .value(55)))
        #expect(try Self.measured.filling(Self.parse("Deblur with sigma 0.5, Remove all degradation"))
                == Self.parse("Deblur with sigma 0.5, Denoise with sigma 0.046, Dejpeg with quality 55"))
        // Only what the analysis found is added.
        #expect(try Self.analysis(noise: 0.03).filling(Self.parse("Remove all degradation"))
                == Self.parse("Denoise with sigma 0.03"))
    }

    @Test func bareUpsampleStaysBare() throws {
        let filled = try Self.measured.filling(Self.parse("Upsample, Deblur"))
        #expect(filled.upsample == .estimate)
        // No stated factor: the blur is the measured one.
        #expect(filled.deblur == .value(1.23))
        #expect(filled.denoise == nil && filled.dejpeg == nil)
        #expect(try Self.measured.filling(Self.parse("Upsample")) == Self.parse("Upsample"))
        #expect(try Self.measured.filling(Self.parse("Upsample, Remove all degradation"))
                == RestorationPrompt(deblur: Self.measured.prompt.deblur, upsample: .estimate,
                                     denoise: .value(0.046), dejpeg: .value(55)))
    }

    @Test func blurIsScaledByAStatedUpsampleFactor() throws {
        // Bare "Deblur": F × the estimate, 4 × 1.234 = 4.936.
        #expect(try Self.measured.filling(Self.parse("Upsample to 4, Deblur"))
                == Self.parse("Deblur with sigma 4.94, Upsample to 4"))
        // Blind mode: F × the stated (shrunk) blur.
        let blind = try Self.measured.filling(Self.parse("Upsample to 2, Remove all degradation"))
        #expect(blind == RestorationPrompt(deblur: .value((Self.statedBlur(1.234) * 2 * 100).rounded() / 100),
                                           upsample: .value(2), denoise: .value(0.046), dejpeg: .value(55)))
        // Noise and JPEG are not scaled; a stated blur is not either.
        #expect(try Self.measured.filling(Self.parse("Upsample to 2, Deblur with sigma 1.0, Denoise"))
                == Self.parse("Deblur with sigma 1.0, Upsample to 2, Denoise with sigma 0.046"))
        // The prompt language caps blur at 10 px.
        #expect(try Self.analysis(blur: 3.0).filling(Self.parse("Upsample to 4, Deblur"))
                == Self.parse("Deblur with sigma 10.0, Upsample to 4"))
    }
}
