import Testing
@testable import RestoreKitCore

@Suite struct DejpegChromaResamplingTests {
    /// Recovering the stored chroma of a decoded file and upsampling it again
    /// as libjpeg does reproduces the decoded pixels up to libjpeg's rounding,
    /// away from pixels the decoder clipped to 0 or 255 (clipping loses the
    /// chroma there, and the recovery spreads that over a few samples).
    @Test(arguments: [ChromaSubsampling.both, .horizontal])
    func reproducesDecoder(_ chroma: ChromaSubsampling) throws {
        let (w, h) = (96, 72)
        let (decoded, _) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: w, height: h),
                                                           quality: 50, chroma: chroma)
        let planes = JFIFColor.planes(of: decoded)
        let resampling = ChromaResampling(chroma)
        let cb = resampling.upsampled(resampling.stored(from: planes.cb), width: w, height: h)
        let cr = resampling.upsampled(resampling.stored(from: planes.cr), width: w, height: h)
        let again = JFIFColor.rgbSamples(y: planes.y, cb: cb, cr: cr)
        let n = w * h
        let clipped = (0 ..< n).map { i in (0 ..< 3).contains { decoded.samples[$0 * n + i] == 0 || decoded.samples[$0 * n + i] == 1 } }
        var worst: Float = 0, compared = 0
        for y in 0 ..< h {
            for x in 0 ..< w {
                let nearClipping = (max(0, y - 4) ... min(h - 1, y + 4)).contains { yy in
                    (max(0, x - 4) ... min(w - 1, x + 4)).contains { clipped[yy * w + $0] }
                }
                guard !nearClipping else { continue }
                compared += 1
                for c in 0 ..< 3 { worst = max(worst, abs(again[c * n + y * w + x] - decoded.samples[c * n + y * w + x]) * 255) }
            }
        }
        #expect(compared > n / 2)
        #expect(worst < 2, "largest difference \(worst) levels")
    }

    /// The averaging matches the encoder's cells, partial cells included.
    @Test func averagesCells() {
        let plane = JPEGPlane(width: 3, height: 3, samples: [0, 4, 8, 12, 16, 20, 24, 28, 32])
        let both = ChromaResampling(.both).averaged(plane)
        #expect(both.width == 2 && both.height == 2)
        #expect(both.samples == [8, 14, 26, 32])
        let across = ChromaResampling(.horizontal).averaged(plane)
        #expect(across.width == 2 && across.height == 3)
        #expect(across.samples == [2, 8, 14, 20, 26, 32])
    }
}
