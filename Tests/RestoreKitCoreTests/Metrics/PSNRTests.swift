import Testing
@testable import RestoreKitCore

@Suite struct PSNRTests {
    let reference = MetricsTestImages.pattern(width: 40, height: 30)

    @Test func uniformOffsetGivesItsDecibels() throws {
        // MSE 0.1² → 10 log10(1 / 0.01) = 20 dB.
        let image = MetricsTestImages.shifted(reference, by: 0.1)
        #expect(abs(try PSNR.measure(image, reference: reference) - 20) < 1e-5)
        #expect(abs(try PSNR.measure(image, reference: reference, crop: 7) - 20) < 1e-5)
    }

    @Test func identicalImagesAreInfinite() throws {
        #expect(try PSNR.measure(reference, reference: reference) == .infinity)
        #expect(try PSNR.measure(reference, reference: reference, channels: .lumaY, crop: 3) == .infinity)
    }

    @Test func cropEqualsMeasuringTheCroppedImages() throws {
        let image = MetricsTestImages.pattern(width: 40, height: 30, phase: 0.3)
        for channels in MetricChannels.allCases {
            let cropped = try PSNR.measure(image, reference: reference, channels: channels, crop: 4)
            let manual = try PSNR.measure(TestSupport.crop(image, x: 4, y: 4, width: 32, height: 22),
                                          reference: TestSupport.crop(reference, x: 4, y: 4,
                                                                              width: 32, height: 22),
                                          channels: channels)
            #expect(cropped == manual)
            #expect(cropped != (try PSNR.measure(image, reference: reference, channels: channels)))
        }
    }

    @Test func alphaIsIgnored() throws {
        let image = MetricsTestImages.pattern(width: 40, height: 30, phase: 0.3)
        let alpha = MetricsTestImages.pattern(width: 40, height: 30, layout: .gray, phase: 1.1).samples
        let opaque = [Float](repeating: 1, count: reference.planeCount)
        for channels in MetricChannels.allCases {
            let plain = try PSNR.measure(image, reference: reference, channels: channels)
            #expect(try PSNR.measure(image.withAlpha(alpha), reference: reference.withAlpha(opaque),
                                     channels: channels) == plain)
            #expect(try PSNR.measure(image.withAlpha(alpha), reference: reference, channels: channels) == plain)
        }
    }

    @Test func lumaComparesOnlyY() throws {
        // A change that keeps Y (more red, less green in the BT.601 proportion)
        // leaves Y-PSNR infinite while the colour PSNR sees it.
        var image = reference
        for i in 0 ..< image.planeCount {
            image.samples[i] += 0.02
            image.samples[image.planeCount + i] -= Float(0.02 * 65.481 / 128.553)
        }
        #expect(try PSNR.measure(image, reference: reference, channels: .lumaY) > 100)
        #expect(try PSNR.measure(image, reference: reference) < 40)
    }

    @Test func grayLumaIsTheGrayChannel() throws {
        let gray = MetricsTestImages.pattern(width: 20, height: 20, layout: .gray)
        let other = MetricsTestImages.pattern(width: 20, height: 20, layout: .gray, phase: 0.5)
        let luma = try PSNR.measure(other, reference: gray, channels: .lumaY)
        #expect(luma == (try PSNR.measure(other, reference: gray, channels: .color)))
    }
}
