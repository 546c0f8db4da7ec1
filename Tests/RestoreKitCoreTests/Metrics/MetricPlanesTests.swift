import Testing
@testable import RestoreKitCore

@Suite struct MetricPlanesTests {
    let rgb = MetricsTestImages.pattern(width: 20, height: 16)

    @Test func cropsAndWidens() throws {
        let planes = try MetricPlanes(image: rgb, reference: rgb, channels: .color, crop: 2)
        #expect(planes.width == 16 && planes.height == 12)
        #expect(planes.reference.count == 3 && planes.image.count == 3)
        #expect(planes.reference[2][0] == Double(rgb[2, 2, 2]))
        #expect(planes.reference[1][5] == Double(rgb[7, 2, 1]))
        let luma = try MetricPlanes(image: rgb, reference: rgb, channels: .lumaY, crop: 7)
        #expect(luma.width == 6 && luma.height == 2 && luma.reference.count == 1)
        #expect(luma.reference[0][7] == LumaY.value(red: Double(rgb[8, 8, 0]), green: Double(rgb[8, 8, 1]),
                                                    blue: Double(rgb[8, 8, 2])))
    }

    @Test func rejectsDifferentSizes() {
        let other = MetricsTestImages.pattern(width: 20, height: 17)
        #expect(throws: RestoreError(.invalidArgument,
                "the image is 20 × 17 pixels and the reference 20 × 16; the sizes must match")) {
            try PSNR.measure(other, reference: rgb)
        }
        #expect(throws: RestoreError.self) { try SSIM.measure(other, reference: rgb) }
    }

    @Test func rejectsDifferentColourChannels() {
        let gray = MetricsTestImages.pattern(width: 20, height: 16, layout: .grayAlpha)
        #expect(throws: RestoreError(.invalidArgument,
                "the image is gray and the reference RGB; the colour channels must match (alpha is ignored)")) {
            try PSNR.measure(gray, reference: rgb, channels: .lumaY)
        }
        #expect(throws: RestoreError.self) { try SSIM.measure(rgb, reference: gray) }
    }

    @Test func rejectsDifferentEncodings() {
        var linear = rgb
        linear.encoding = .linear
        #expect(throws: RestoreError(.invalidArgument, "the image is linear and the reference sRGB; "
                + "convert one so both have the same encoding before comparing them")) {
            try PSNR.measure(linear, reference: rgb)
        }
    }

    @Test func rejectsBadCrops() throws {
        #expect(throws: RestoreError(.invalidArgument, "the border crop must be 0 or more pixels, not -1")) {
            try PSNR.measure(rgb, reference: rgb, crop: -1)
        }
        #expect(throws: RestoreError(.invalidArgument,
                "a border crop of 8 pixels on each side leaves nothing of a 20 × 16 image")) {
            try PSNR.measure(rgb, reference: rgb, crop: 8)
        }
        #expect(throws: RestoreError.self) { try SSIM.measure(rgb, reference: rgb, crop: 100) }
        #expect(try PSNR.measure(MetricsTestImages.shifted(rgb, by: 0.1), reference: rgb, crop: 7) > 0)
    }
}
