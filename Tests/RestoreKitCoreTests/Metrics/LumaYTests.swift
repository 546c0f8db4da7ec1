import Testing
@testable import RestoreKitCore

@Suite struct LumaYTests {
    @Test func studioRange() {
        #expect(abs(LumaY.value(red: 0, green: 0, blue: 0) - 16.0 / 255) < 1e-15)
        #expect(abs(LumaY.value(red: 1, green: 1, blue: 1) - 235.0 / 255) < 1e-12)
        #expect(abs(LumaY.value(red: 1, green: 0, blue: 0) - (16 + 65.481) / 255) < 1e-15)
        #expect(abs(LumaY.value(red: 0, green: 1, blue: 0) - (16 + 128.553) / 255) < 1e-15)
        #expect(abs(LumaY.value(red: 0, green: 0, blue: 1) - (16 + 24.966) / 255) < 1e-15)
    }

    @Test func metricsOnYEqualMetricsOnAGrayYImage() throws {
        let reference = MetricsTestImages.pattern(width: 30, height: 25)
        let image = MetricsTestImages.pattern(width: 30, height: 25, phase: 0.7)
        func yImage(_ rgb: Image) -> Image {
            var gray = try! Image(width: rgb.width, height: rgb.height, layout: .gray)
            for y in 0 ..< rgb.height {
                for x in 0 ..< rgb.width {
                    gray[x, y, 0] = Float(LumaY.value(red: Double(rgb[x, y, 0]), green: Double(rgb[x, y, 1]),
                                                      blue: Double(rgb[x, y, 2])))
                }
            }
            return gray
        }
        let psnr = try PSNR.measure(image, reference: reference, channels: .lumaY)
        let ssim = try SSIM.measure(image, reference: reference, channels: .lumaY)
        #expect(abs(psnr - (try PSNR.measure(yImage(image), reference: yImage(reference)))) < 1e-4)
        #expect(abs(ssim - (try SSIM.measure(yImage(image), reference: yImage(reference)))) < 1e-6)
    }
}
