import Dispatch
import Foundation
import Testing
@testable import RestoreKitCore

/// The analyser as a whole: combined degradations, determinism and image layouts.
@Suite struct DegradationAnalyzerTests {
    static let combinedPrompt = "Deblur with sigma 1.5, Denoise with sigma 0.03, Dejpeg with quality 60"

    /// Blur, then noise, then JPEG (SPIRE's order), as `PromptDegradation` makes it.
    static let combinedPixels: Image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, combinedPrompt, seed: 31)

    /// The same damage as a decoded JPEG file, with its tables: the blurred,
    /// noisy picture encoded at quality 60 (the JPEG step of `PromptDegradation`
    /// is this libjpeg-turbo round trip).
    static let combined: DecodedImage = {
        let withoutJPEG = try! PromptDegradation.apply(
            RestorationPrompt.parse("Deblur with sigma 1.5, Denoise with sigma 0.03"),
            to: AnalyzeTestImages.clean, seed: 31).image
        return AnalyzeTestImages.jpegFile(withoutJPEG, quality: 60)
    }()

    @Test func combinedDegradationsFromPixels() {
        let analysis = DegradationAnalyzer().analyze(Self.combinedPixels)
        let prompt = analysis.prompt
        // The clauses present are those applied, in canonical order.
        #expect(prompt.deblur?.value != nil && prompt.denoise?.value != nil && prompt.dejpeg?.value != nil,
                "\(prompt)")
        #expect(prompt.upsample == nil && !prompt.removeAllDegradation)
        let text = prompt.description
        #expect(text.hasPrefix("Deblur with sigma ") && text.contains(", Denoise with sigma ")
                && text.contains(", Dejpeg with quality "), "\(text)")
        // Their values are near the truth.
        #expect(abs(analysis.blur.sigma - 1.5) <= 0.4, "blur \(analysis.blur.sigma)")
        #expect(abs(analysis.noise.sigma - 0.03) <= 0.2 * 0.03, "noise \(analysis.noise.sigma)")
        #expect(analysis.jpeg.quality.map { abs($0 - 60) <= 6 } == true, "JPEG \(String(describing: analysis.jpeg.quality))")
        #expect(analysis.upsampling.factor == 1)
    }

    @Test func combinedDegradationsWithFileTables() {
        // The file decodes to exactly the pixels PromptDegradation made.
        #expect(Self.combined.image == Self.combinedPixels)
        let analysis = DegradationAnalyzer().analyze(Self.combined.image, jpeg: Self.combined.jpeg)
        #expect(analysis.jpeg.quality == 60 && analysis.jpeg.exact && analysis.jpeg.source == .fileTables)
        #expect(abs(analysis.blur.sigma - 1.5) <= 0.4, "blur \(analysis.blur.sigma)")
        #expect(abs(analysis.noise.sigma - 0.03) <= 0.2 * 0.03, "noise \(analysis.noise.sigma)")
        #expect(analysis.prompt.dejpeg == .value(60))
        #expect(analysis.prompt.deblur != nil && analysis.prompt.denoise != nil)
    }

    @Test func cleanPictureGivesTheEmptyPrompt() throws {
        let analysis = AnalyzeFixtures.cleanAnalysis
        #expect(analysis.prompt.isEmpty, "\(analysis.prompt)")
        #expect(analysis.qualitySentence == "sharp, clean, no visible compression")
        #expect(try analysis.filling(RestorationPrompt()).isEmpty)
    }

    // MARK: - Determinism

    @Test func analysisIsDeterministic() {
        let prompt = "Deblur with sigma 1.5, Denoise with sigma 0.03"
        let image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, prompt, seed: 32)
        // The same degradation again gives the same pixels …
        #expect(AnalyzeTestImages.degraded(AnalyzeTestImages.clean, prompt, seed: 32) == image)
        // … and analysing them again, and from several threads at once, gives
        // the same result to the last bit.
        let analyzer = DegradationAnalyzer()
        let first = analyzer.analyze(image)
        let results = AnalysisResults(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { i in results.set(i, analyzer.analyze(image)) }
        for analysis in results.all { #expect(analysis == first) }
    }

    @Test func jpegPathIsDeterministic() {
        // Noise measured through the JPEG quantiser (`QuantizedNoiseEstimator`).
        let image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, Self.combinedPrompt, seed: 32)
        let analyzer = DegradationAnalyzer()
        let a = analyzer.analyze(image), b = analyzer.analyze(image)
        // To the last bit, also in the quantised-noise estimator's sums.
        let planes = AnalysisPlanes(image)
        let table = JPEGTables.ijg(quality: 60).luma
        let sigmas = (0 ..< 4).map { _ in
            QuantizedNoiseEstimator(gain: 1).estimate(planes, table: table, offset: (0, 0)).sigma
        }
        #expect(a == b)
        #expect(Set(sigmas).count == 1, "\(sigmas)")
    }

    // MARK: - Layouts

    @Test func grayImage() {
        let clean = AnalyzeTestImages.scene(gray: true)
        let cleanAnalysis = DegradationAnalyzer().analyze(clean)
        #expect(cleanAnalysis.prompt.isEmpty, "\(cleanAnalysis.prompt)")
        let damaged = AnalyzeTestImages.degraded(clean, "Deblur with sigma 1.0, Denoise with sigma 0.02, Dejpeg with quality 50", seed: 33)
        #expect(damaged.layout == .gray)
        let analysis = DegradationAnalyzer().analyze(damaged)
        #expect(abs(analysis.blur.sigma - 1.0) <= 0.4, "blur \(analysis.blur.sigma)")
        #expect(abs(analysis.noise.sigma - 0.02) <= 0.2 * 0.02 + 0.002, "noise \(analysis.noise.sigma)")
        #expect(analysis.jpeg.quality.map { abs($0 - 50) <= 6 } == true, "JPEG \(String(describing: analysis.jpeg.quality))")
    }

    @Test func alphaIsIgnored() {
        // RGBA with an alpha ramp, and gray + alpha: alpha must not change anything.
        let rgb = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Denoise with sigma 0.03", seed: 34)
        var alpha = [Float](repeating: 0, count: rgb.planeCount)
        for i in alpha.indices { alpha[i] = Float(i % rgb.width) / Float(rgb.width) }
        let rgba = rgb.withAlpha(alpha)
        #expect(rgba.layout == .rgba)
        let analyzer = DegradationAnalyzer()
        let reference = analyzer.analyze(rgb)
        #expect(analyzer.analyze(rgba) == reference)
        #expect(abs(reference.noise.sigma - 0.03) <= 0.15 * 0.03, "noise \(reference.noise.sigma)")

        let gray = AnalyzeTestImages.luma(rgb)
        let grayAlpha = gray.withAlpha(alpha)
        #expect(grayAlpha.layout == .grayAlpha)
        #expect(analyzer.analyze(grayAlpha) == analyzer.analyze(gray))
    }

    @Test func linearImagesAreMeasuredInSRGB() {
        let image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Deblur with sigma 1.0, Denoise with sigma 0.03", seed: 35)
        let linear = image.converted(to: .linear)
        #expect(linear.encoding == .linear)
        let a = DegradationAnalyzer().analyze(image), b = DegradationAnalyzer().analyze(linear)
        #expect(abs(a.noise.sigma - b.noise.sigma) <= 0.001, "\(a.noise.sigma) vs \(b.noise.sigma)")
        #expect(abs(a.blur.sigma - b.blur.sigma) <= 0.05, "\(a.blur.sigma) vs \(b.blur.sigma)")
        #expect(a.jpeg.quality == b.jpeg.quality)
    }

    @Test func tinyImagesDoNotCrash() throws {
        for side in [1, 7, 8, 15, 16, 31] {
            let image = try Image(width: side, height: side, layout: .rgb)
            let analysis = DegradationAnalyzer().analyze(image)
            #expect(analysis.noise.sigma == 0 && analysis.blur.sigma == 0 && analysis.upsampling.factor == 1,
                    "side \(side)")
            #expect(analysis.prompt.deblur == nil && analysis.prompt.denoise == nil, "side \(side)")
        }
    }

    /// A float host's samples far outside 0…1 (found by the C ABI fuzz target: the
    /// JPEG estimator's level count overflowed Int) are measured as the clamped picture.
    @Test func samplesOutOfRangeAreMeasuredClamped() throws {
        let clean = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Denoise with sigma 0.03", seed: 36)
        var wild = clean
        for i in stride(from: 0, to: wild.samples.count, by: 7) { wild.samples[i] = i % 2 == 0 ? 1e30 : -1e30 }
        var clamped = wild
        clamped.samples = wild.samples.map { min(max($0, 0), 1) }
        #expect(DegradationAnalyzer().analyze(wild) == DegradationAnalyzer().analyze(clamped))
    }
}

/// Results written by concurrent closures, under a lock.
private final class AnalysisResults: @unchecked Sendable {
    private var values: [DegradationAnalysis?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: DegradationAnalysis) { lock.withLock { values[index] = value } }
    var all: [DegradationAnalysis?] { lock.withLock { values } }

}
