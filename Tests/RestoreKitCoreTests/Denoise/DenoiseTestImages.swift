@testable import RestoreKitCore

/// Small test images for the denoiser tests, and noise that is not clipped.
enum DenoiseTestImages {
    /// A `width` × `height` crop of the sample photo (the cat's face and fur), RGB or gray.
    static func photo(width: Int, height: Int, x: Int = 150, y: Int = 60, gray: Bool = false) -> Image {
        let rgb = TestSupport.sample.cropped(to: Rect(x: x, y: y, width: width, height: height)).colorOnly
        guard gray else { return rgb }
        var out = try! Image(width: width, height: height, layout: .gray)
        for y in 0 ..< height {
            for x in 0 ..< width {
                out[x, y, 0] = 0.299 * rgb[x, y, 0] + 0.587 * rgb[x, y, 1] + 0.114 * rgb[x, y, 2]
            }
        }
        return out
    }

    /// Smooth gradients, a bright disc and a dark bar: flat areas, edges and ramps;
    /// coloured unless `neutral` (then R = G = B).
    static func shapes(width: Int, height: Int, layout: PixelLayout = .rgb, neutral: Bool = false) -> Image {
        var image = try! Image(width: width, height: height, layout: layout)
        for channel in 0 ..< layout.colorChannelCount {
            let c = neutral ? 0 : channel
            for y in 0 ..< height {
                for x in 0 ..< width {
                    var v = 0.2 + 0.5 * Float(x) / Float(width) + 0.1 * Float(c) * Float(y) / Float(height)
                    let dx = Float(x - width / 2), dy = Float(y - height / 2)
                    if dx * dx + dy * dy < Float(width * width) / 16 { v = 0.85 - 0.1 * Float(c) }
                    if y > height * 3 / 4 && x < width / 2 { v = 0.1 }
                    image[x, y, channel] = v
                }
            }
        }
        return image
    }

    /// `image` plus N(0, σ²) per sample from `seed`, not clipped (as the benchmark adds it).
    static func noisy(_ image: Image, sigma: Double, seed: UInt64) -> Image {
        var out = image
        var generator = SeededGenerator(seed: seed)
        for i in out.samples.indices { out.samples[i] += Float(generator.nextNormal() * sigma) }
        return out
    }
}
