import Testing
@testable import RestoreKitCore

/// Earlier enlargement from interpolation's periodic traces (`UpsamplingEstimator`).
@Suite struct AnalyzeUpsamplingTests {
    /// The scene made at `side` × `side` and enlarged by `factor` with bicubic
    /// interpolation, rounded to 8 bits.
    static func enlarged(side: Int, by factor: Double) -> Image {
        let small = AnalyzeTestImages.scene(width: side, height: side)
        return AnalyzeTestImages.eightBit(try! small.resized(scale: factor, filter: .bicubic))
    }

    @Test func twiceEnlargedIsFound() {
        let analysis = DegradationAnalyzer().analyze(Self.enlarged(side: 128, by: 2))
        #expect(analysis.upsampling.factor == 2, "factor \(analysis.upsampling.factor)")
        #expect(analysis.upsampling.confidence > 0.2, "confidence \(analysis.upsampling.confidence)")
        #expect(analysis.qualitySentence.contains("upscaled about 2×"), "\(analysis.qualitySentence)")
        // Enlargement is the user's choice, never a prompt clause.
        #expect(analysis.prompt.upsample == nil)
    }

    /// Whole factors beyond 2 (whose period is shared with 1.5 and 1.33) are
    /// told apart by the bandwidth the picture kept. (A ×1.5 enlargement of
    /// this scene leaves no period-3 peak above the bar: reported as native.)
    @Test(arguments: [(86, 3.0), (64, 4.0)])
    func enlargementFactorIsFound(side: Int, factor: Double) {
        let analysis = DegradationAnalyzer().analyze(Self.enlarged(side: side, by: factor))
        #expect(analysis.upsampling.factor == factor, "factor \(analysis.upsampling.factor)")
        #expect(analysis.prompt.upsample == nil)
    }

    @Test func nativePictureIsNotEnlarged() {
        let upsampling = AnalyzeFixtures.cleanAnalysis.upsampling
        #expect(upsampling.factor == 1)
        #expect(upsampling.confidence > 0.3, "confidence \(upsampling.confidence)")
        #expect(!AnalyzeFixtures.cleanAnalysis.qualitySentence.contains("upscaled"))
    }

    @Test func tinyPictureIsNative() {
        // Below 32 px a side there is no profile to read.
        let enlarged = Self.enlarged(side: 24, by: 2).cropped(to: Rect(x: 0, y: 0, width: 31, height: 40))
        let analysis = DegradationAnalyzer().analyze(enlarged)
        #expect(analysis.upsampling == UpsamplingEstimate(factor: 1, confidence: 0))
    }
}
