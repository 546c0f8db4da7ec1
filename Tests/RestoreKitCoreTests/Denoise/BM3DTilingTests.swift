import Testing
@testable import RestoreKitCore

/// Restoring a tile with its halo must give the whole image's result in the
/// tile's interior: that is what lets hosts restore any image tile by tile
/// without seams.
@Suite struct BM3DTilingTests {
    let sigma = 25.0 / 255

    /// Restores `region` of `noisy` as a tile (with halo, via the `Restorer`
    /// entry point) and compares it with the same region of the whole result.
    func compare(_ noisy: Image, clean: Image, region: Rect) throws
        -> (maxDifference: Float, psnrWhole: Double, psnrTile: Double) {
        let denoiser = BM3DDenoiser(sigma: sigma)
        let context = RestorationContext(threads: 2)
        let whole = try denoiser.restore(tile: noisy, origin: (0, 0), context: context)
        let input = denoiser.inputRect(for: region, inputWidth: noisy.width, inputHeight: noisy.height)
        let tile = try denoiser.restore(noisy.cropped(to: input), at: input, producing: region,
                                        inputWidth: noisy.width, inputHeight: noisy.height, context: context)
        let expected = whole.cropped(to: region)
        let difference = zip(tile.samples, expected.samples).map { abs($0 - $1) }.max() ?? 0
        let reference = clean.cropped(to: region)
        return (difference, try PSNR.measure(expected, reference: reference),
                try PSNR.measure(tile, reference: reference))
    }

    @Test func haloCoversEveryDependency() {
        let denoiser = BM3DDenoiser(sigma: sigma)
        let p = BM3DParameters(sigma: sigma, channels: 3)
        #expect(denoiser.halo == 14 + 2 * (p.hardThreshold.searchRadius + p.wiener.searchRadius))
    }

    @Test func tileInteriorEqualsWholeImageAcrossAVerticalCut() throws {
        // The tile's left side (x = 20 + halo … ) is inside the image; its input
        // starts at x = 20, off the step and band grids of the image.
        let halo = BM3DDenoiser(sigma: sigma).halo
        let clean = DenoiseTestImages.photo(width: 40 + 2 * halo, height: 24, x: 100, y: 100, gray: true)
        let noisy = DenoiseTestImages.noisy(clean, sigma: sigma, seed: 21)
        let region = Rect(x: 20 + halo, y: 0, width: clean.width - 20 - halo, height: 24)
        let result = try compare(noisy, clean: clean, region: region)
        #expect(result.maxDifference < 1e-5)
        #expect(abs(result.psnrWhole - result.psnrTile) < 0.05)
    }

    @Test func tileInteriorEqualsWholeImageAcrossAHorizontalCut() throws {
        // Colour this time, and the tile's lower side is inside the image: its
        // input stops 5 rows above the bottom, so its last reference row differs
        // from the image's.
        let halo = BM3DDenoiser(sigma: sigma).halo
        let clean = DenoiseTestImages.photo(width: 20, height: 36 + 2 * halo, x: 200, y: 20)
        let noisy = DenoiseTestImages.noisy(clean, sigma: sigma, seed: 22)
        let region = Rect(x: 0, y: 0, width: 20, height: clean.height - halo - 5)
        let result = try compare(noisy, clean: clean, region: region)
        #expect(result.maxDifference < 1e-5)
        #expect(abs(result.psnrWhole - result.psnrTile) < 0.05)
    }
}
