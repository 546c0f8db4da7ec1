@testable import RestoreKitCore

/// Test images and degradations for the deblurring tests.
enum DeblurTestSupport {
    /// A `width × height` crop of the CC0 sample photo at (x, y): RGB, or its
    /// BT.601 luma as a gray image.
    static func sampleCrop(x: Int, y: Int, width: Int, height: Int, gray: Bool = false) -> Image {
        let rgb = TestSupport.sample.colorOnly.cropped(to: Rect(x: x, y: y, width: width, height: height))
        guard gray else { return rgb }
        let n = rgb.planeCount
        let luma = (0 ..< n).map { 0.299 * rgb.samples[$0] + 0.587 * rgb.samples[n + $0] + 0.114 * rgb.samples[2 * n + $0] }
        return try! Image(width: width, height: height, layout: .gray, samples: luma)
    }

    /// `image` blurred by the Gaussian of `sigma` (reflect-101 borders, as the
    /// deconvolution assumes), plus seeded Gaussian noise, clipped and rounded
    /// to 8 bits like a stored file.
    static func degrade(_ image: Image, sigma: Double, noise: Double, seed: UInt64 = 1) throws -> Image {
        let blurred = image.convolved(with: try BlurKernel(.gaussian(sigma: sigma)))
        let noisy = try blurred.addingGaussianNoise(sigma: noise, seed: seed)
        return quantized(noisy)
    }

    /// `image` rounded to 8-bit code values.
    static func quantized(_ image: Image) -> Image {
        var out = image
        out.samples = image.samples.map { ($0 * 255).rounded() / 255 }
        return out
    }

    /// PSNR over all colour channels (data range 1).
    static func psnr(_ image: Image, _ reference: Image) throws -> Double {
        try PSNR.measure(image, reference: reference)
    }

    /// The largest absolute sample difference.
    static func maxDifference(_ a: Image, _ b: Image) -> Float {
        zip(a.samples, b.samples).map { abs($0 - $1) }.max() ?? 0
    }

    /// Restores a whole image in one piece.
    static func restore(_ image: Image, with restorer: GaussianDeconvolution, threads: Int = 2) throws -> Image {
        try restorer.restore(tile: image, origin: (0, 0), context: RestorationContext(threads: threads))
    }
}
