import Foundation
import Testing
@testable import RestoreKitCore

/// Agreement with scikit-image 0.26 on the pairs `scripts/metrics-fixture` wrote:
/// `peak_signal_noise_ratio(data_range=1)` within 0.001 dB and `structural_similarity`
/// (Gaussian, σ 1.5, population covariance, data range 1) within 0.0001.
@Suite struct MetricsFixtureTests {
    struct Fixture: Decodable {
        var pairs: [Pair]
    }

    struct Pair: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var reference: String
        var image: String
        var results: [Scores]
        var testDescription: String { name }
    }

    struct Scores: Decodable, Sendable {
        var crop: Int
        var psnr: Double
        var ssim: Double
        var psnr_y: Double
        var ssim_y: Double
    }

    static let pairs: [Pair] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: MetricsTestImages.fixtures + "/metrics.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data).pairs
    }()

    @Test func coversEnoughPairs() {
        #expect(Self.pairs.count >= 6)
        #expect(Self.pairs.allSatisfy { $0.results.map(\.crop).contains(0) && $0.results.contains { $0.crop > 0 } })
    }

    @Test(arguments: pairs)
    func matchesScikitImage(_ pair: Pair) throws {
        let reference = try ImageFile.read(MetricsTestImages.fixtures + "/" + pair.reference).image
        let image = try ImageFile.read(MetricsTestImages.fixtures + "/" + pair.image).image
        for expected in pair.results {
            let crop = expected.crop
            let psnr = try PSNR.measure(image, reference: reference, crop: crop)
            let ssim = try SSIM.measure(image, reference: reference, crop: crop)
            let psnrY = try PSNR.measure(image, reference: reference, channels: .lumaY, crop: crop)
            let ssimY = try SSIM.measure(image, reference: reference, channels: .lumaY, crop: crop)
            #expect(abs(psnr - expected.psnr) < 0.001, "PSNR, crop \(crop)")
            #expect(abs(ssim - expected.ssim) < 0.0001, "SSIM, crop \(crop)")
            #expect(abs(psnrY - expected.psnr_y) < 0.001, "PSNR Y, crop \(crop)")
            #expect(abs(ssimY - expected.ssim_y) < 0.0001, "SSIM Y, crop \(crop)")
        }
    }
}
