import Testing
@testable import RestoreKitCore

/// The engine fills what a prompt leaves open by analysing the whole image.
@Suite struct RestorationEngineAnalysisTests {
    @Test func anEmptyPromptRestoresWhatTheAnalysisFinds() throws {
        let clean = DenoiseTestImages.photo(width: 96, height: 80, gray: false)
        let noisy = DenoiseTestImages.noisy(clean, sigma: 0.05, seed: 3)
        let engine = RestorationEngine()
        let result = try engine.restore(noisy, request: RestorationRequest())
        let analysis = try #require(result.plan.analysis)
        #expect(try result.plan.prompt == analysis.filling(RestorationPrompt()))
        let sigma = try #require(result.plan.prompt.denoise?.value)
        #expect(abs(sigma - 0.05) < 0.01, "estimated \(sigma)")
        // The same pixels as restoring with the filled-in prompt stated.
        let stated = try engine.restore(noisy, request: try RestorationRequest(restoration: result.plan.prompt.description))
        #expect(stated.image.samples == result.image.samples)

        // Stated strengths are not analysed; a region-only plan cannot analyse.
        let plan = try engine.plan(try RestorationRequest(restoration: "Denoise with sigma 0.03"), for: noisy)
        #expect(plan.analysis == nil && plan.prompt.denoise == .value(0.03))
        let error = #expect(throws: RestoreError.self) {
            try engine.plan(try RestorationRequest(restoration: "Denoise"), channels: 3)
        }
        #expect(error?.kind == .needsAnalysis)
    }
}
