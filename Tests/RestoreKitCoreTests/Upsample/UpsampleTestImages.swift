@testable import RestoreKitCore

/// Test pairs for the upsampler: crops of the CC0 sample photo as ground
/// truth, degraded the way the prompt's model says.
enum UpsampleTestImages {
    /// A `width × height` crop of the sample photo at (`x`, `y`) (the cat's face
    /// and fur by default), as BT.601 luma when `gray`.
    static func truth(width: Int = 144, height: Int = 120, x: Int = 150, y: Int = 60, gray: Bool = false) -> Image {
        let crop = TestSupport.sample.colorOnly.cropped(to: Rect(x: x, y: y, width: width, height: height))
        guard gray else { return crop }
        let n = crop.planeCount
        let luma = (0 ..< n).map { i in
            Float(0.299 * Double(crop.samples[i]) + 0.587 * Double(crop.samples[n + i])
                  + 0.114 * Double(crop.samples[2 * n + i]))
        }
        return try! Image(width: width, height: height, layout: .gray, samples: luma)
    }

    /// `truth` blurred by a Gaussian of `blur` (0: none), downscaled to its
    /// sides divided by `factor` (rounded) with antialiased bicubic, plus
    /// Gaussian noise of `noise`, then rounded to 8 bits.
    static func degraded(_ truth: Image, factor: Double, blur: Double = 0, noise: Double = 0) -> Image {
        var image = truth
        if blur > 0 { image = image.convolved(with: try! BlurKernel(.gaussian(sigma: blur))) }
        image = try! image.resized(width: Image.scaledSide(truth.width, 1 / factor),
                                   height: Image.scaledSide(truth.height, 1 / factor), filter: .bicubic)
        if noise > 0 { image = try! image.addingGaussianNoise(sigma: noise, seed: 7) }
        return quantized(image)
    }

    /// Clipped to [0, 1] and rounded to 8-bit levels.
    static func quantized(_ image: Image) -> Image {
        var out = image
        for i in out.samples.indices { out.samples[i] = (min(max(out.samples[i], 0), 1) * 255).rounded() / 255 }
        return out
    }

    /// The whole of `low` restored by `upsampler` in one call.
    static func upsample(_ low: Image, with upsampler: BackProjectionUpsampler,
                         context: RestorationContext = RestorationContext(threads: 2)) throws -> Image {
        let (w, h) = upsampler.outputSize(width: low.width, height: low.height)
        return try upsampler.restore(low, at: Rect(width: low.width, height: low.height),
                                     producing: Rect(width: w, height: h),
                                     inputWidth: low.width, inputHeight: low.height, context: context)
    }

    /// `low` enlarged to `width × height` with plain bicubic, the baseline.
    static func bicubic(_ low: Image, width: Int, height: Int) -> Image {
        try! low.resized(width: width, height: height, filter: .bicubic)
    }
}
