import Testing
@testable import RestoreKitCore

/// The weight-free path end to end: prompt → plan → tiles → image, on crops of
/// the CC0 sample damaged exactly as each prompt states.
@Suite struct ClassicRestorationTests {
    static let photo = TestSupport.crop(TestSupport.sample, x: 150, y: 80, width: 96, height: 80)
    let engine = RestorationEngine()

    func restore(_ image: Image, _ prompt: String, tile: Int = 0,
                 progress: ProgressHandler? = nil) throws -> Image {
        var request = try RestorationRequest(restoration: prompt)
        request.tileSize = tile
        return try engine.restore(image, request: request, progress: progress).image
    }

    func damaged(_ image: Image, _ prompt: String) throws -> Image {
        try PromptDegradation.apply(try RestorationPrompt.parse(prompt), to: image, seed: 11).image
    }

    @Test(arguments: [
        ("Denoise with sigma 0.06", 3.0),
        ("Deblur with sigma 1.5", 1.5),
        ("Dejpeg with quality 20", 0.3),
        ("Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40", 0.5),
    ])
    func eachClauseGainsPSNR(_ prompt: String, _ minimumGain: Double) throws {
        let degraded = try damaged(Self.photo, prompt)
        let restored = try restore(degraded, prompt)
        let gain = try PSNR.measure(restored, reference: Self.photo) - PSNR.measure(degraded, reference: Self.photo)
        #expect(gain > minimumGain, "\(prompt): gain \(gain) dB")
    }

    @Test func upsamplingBeatsBicubicAndCarriesAlpha() throws {
        let small = try Self.photo.resized(scale: 0.5, filter: .bicubic)
        let alpha = [Float](repeating: 0.5, count: small.planeCount)
        let restored = try restore(small.withAlpha(alpha), "Upsample to 2")
        #expect(restored.width == 96 && restored.height == 80 && restored.layout == .rgba)
        #expect(restored.alpha!.allSatisfy { abs($0 - 0.5) < 1e-6 })
        let bicubic = try small.resized(width: 96, height: 80, filter: .bicubic)
        #expect(try PSNR.measure(restored.colorOnly, reference: Self.photo)
                > PSNR.measure(bicubic, reference: Self.photo) + 0.3)
    }

    /// A gray picture stays gray, and one stored as RGB (R = G = B) restores as well.
    @Test func grayPictures() throws {
        let gray = try Image(width: 96, height: 80, layout: .gray, samples: Array(Self.photo.plane(1)))
        let noisy = try damaged(gray, "Denoise with sigma 0.06")
        let restored = try restore(noisy, "Denoise with sigma 0.06")
        #expect(restored.layout == .gray)
        let grayGain = try PSNR.measure(restored, reference: gray) - PSNR.measure(noisy, reference: gray)
        func rgb(_ image: Image) throws -> Image {
            try Image(width: 96, height: 80, layout: .rgb, samples: image.samples + image.samples + image.samples)
        }
        let fromRGB = try restore(try rgb(noisy), "Denoise with sigma 0.06")
        let rgbGain = try PSNR.measure(fromRGB, reference: try rgb(gray)) - PSNR.measure(noisy, reference: gray)
        #expect(grayGain > 2 && rgbGain > grayGain - 0.5, "gray \(grayGain) dB, as RGB \(rgbGain) dB")
    }

    /// Tiles restore like the whole image: within 0.05 dB on a photo, and no
    /// seam on a smooth gradient (at most 2/255 apart anywhere).
    @Test func tilesMatchTheWholeImage() throws {
        let prompt = "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40"
        let degraded = try damaged(Self.photo, prompt)
        let whole = try restore(degraded, prompt, tile: 4096)
        let tiled = try restore(degraded, prompt, tile: 64)
        let difference = try PSNR.measure(whole, reference: Self.photo) - PSNR.measure(tiled, reference: Self.photo)
        #expect(abs(difference) < 0.05)

        var gradient = try Image(width: 96, height: 80, layout: .rgb)
        for c in 0 ..< 3 {
            for y in 0 ..< 80 {
                for x in 0 ..< 96 { gradient[x, y, c] = 0.15 + 0.5 * Float(x + 2 * y + 9 * c) / 280 }
            }
        }
        let damagedGradient = try damaged(gradient, prompt)
        let smoothWhole = try restore(damagedGradient, prompt, tile: 4096)
        let smoothTiled = try restore(damagedGradient, prompt, tile: 64)
        let worst = zip(smoothWhole.samples, smoothTiled.samples).map { abs($0 - $1) }.max()!
        #expect(worst <= 2 / 255, "largest tiled/whole difference on a gradient: \(worst * 255)/255")
    }

    @Test func cancelStopsWithinASecond() throws {
        var asked: Double?
        let degraded = try damaged(Self.photo, "Denoise with sigma 0.06")
        let error = #expect(throws: RestoreError.self) {
            try restore(degraded, "Denoise with sigma 0.06", tile: 64) { fraction, _ in
                if fraction >= 0.3, asked == nil { asked = monotonicSeconds() }
                return asked == nil ? .proceed : .cancel
            }
        }
        #expect(error?.kind == .cancelled)
        #expect(monotonicSeconds() - (asked ?? 0) < 1)
    }
}
