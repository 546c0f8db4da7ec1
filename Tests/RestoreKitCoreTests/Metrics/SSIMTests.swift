import Testing
@testable import RestoreKitCore

@Suite struct SSIMTests {
    let reference = MetricsTestImages.pattern(width: 40, height: 30)
    let image = MetricsTestImages.pattern(width: 40, height: 30, phase: 0.4)

    @Test func windowIsScipysGaussian() {
        #expect(SSIM.windowSize == 11)
        #expect(SSIM.taps.count == 6)
        #expect(abs(SSIM.taps[0] + 2 * SSIM.taps[1...].reduce(0, +) - 1) < 1e-15)
        #expect(SSIM.taps == SSIM.taps.sorted(by: >))
    }

    @Test func identicalImagesScoreOne() throws {
        for channels in MetricChannels.allCases {
            #expect(abs(try SSIM.measure(reference, reference: reference, channels: channels) - 1) < 1e-12)
        }
    }

    @Test func isSymmetricAndBelowOne() throws {
        let forward = try SSIM.measure(image, reference: reference)
        let backward = try SSIM.measure(reference, reference: image)
        #expect(abs(forward - backward) < 1e-12)
        #expect(forward < 0.99 && forward > -1)
    }

    @Test func colourIsTheMeanOverChannels() throws {
        let channels = try (0 ..< 3).map { c in
            try SSIM.measure(MetricsTestImages.channel(image, c), reference: MetricsTestImages.channel(reference, c))
        }
        let rgb = try SSIM.measure(image, reference: reference)
        #expect(abs(rgb - channels.reduce(0, +) / 3) < 1e-12)
    }

    @Test func cropEqualsMeasuringTheCroppedImages() throws {
        for channels in MetricChannels.allCases {
            let cropped = try SSIM.measure(image, reference: reference, channels: channels, crop: 3)
            let manual = try SSIM.measure(TestSupport.crop(image, x: 3, y: 3, width: 34, height: 24),
                                          reference: TestSupport.crop(reference, x: 3, y: 3,
                                                                              width: 34, height: 24),
                                          channels: channels)
            #expect(cropped == manual)
        }
    }

    @Test func bandsCoverEveryRow() throws {
        // Taller than one 16-row band, not a multiple of it: equals the mean of its row slices' maps.
        let tall = MetricsTestImages.pattern(width: 12, height: 47, layout: .gray)
        let other = MetricsTestImages.pattern(width: 12, height: 47, layout: .gray, phase: 0.6)
        let whole = try SSIM.measure(other, reference: tall)
        var sum = 0.0
        for top in 0 ..< 37 {   // one kept row (and 2 × 5 margin rows) at a time
            let rows = try SSIM.measure(TestSupport.crop(other, x: 0, y: top, width: 12, height: 11),
                                        reference: TestSupport.crop(tall, x: 0, y: top, width: 12, height: 11))
            sum += rows
        }
        #expect(abs(whole - sum / 37) < 1e-12)
    }

    @Test func needsAnElevenPixelWindow() throws {
        let small = MetricsTestImages.pattern(width: 11, height: 11)
        #expect(try SSIM.measure(small, reference: small) > 0.999)
        let narrow = MetricsTestImages.pattern(width: 10, height: 30)
        #expect(throws: RestoreError(.invalidArgument, "SSIM needs at least 11 × 11 pixels; 10 × 30 are left")) {
            try SSIM.measure(narrow, reference: narrow)
        }
        #expect(throws: RestoreError(.invalidArgument,
                                     "SSIM needs at least 11 × 11 pixels after the border crop; 12 × 2 are left")) {
            try SSIM.measure(reference, reference: reference, crop: 14)
        }
    }
}
