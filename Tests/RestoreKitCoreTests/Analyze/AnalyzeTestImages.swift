#if canImport(Glibc)
import Glibc
#endif
@testable import RestoreKitCore

/// Synthetic pictures for the degradation-analyser tests, made to look to the
/// estimators like a photograph: flat-ish shaded regions (gentle gradients and
/// slow shading), sharp straight, slanted and curved step edges anti-aliased
/// as a camera's pixel area would (box coverage, about 0.3 px of blur), and
/// a little fine random texture in part of the frame. Nothing in it repeats
/// with a period of 2–6 pixels, so it reads as not enlarged. Samples stay in
/// about [0.3, 0.75] so noise of σ 0.1 is rarely clipped.
enum AnalyzeTestImages {
    /// The clean picture with a camera's faint grain (σ `grain`, about one
    /// 8-bit level by default: every photograph has at least that), rounded to
    /// 8 bits as files are; RGB, or gray (its luma).
    static func scene(width: Int = 256, height: Int = 256, gray: Bool = false, grain: Double = defaultGrain) -> Image {
        var image = rawScene(width: width, height: height)
        if gray { image = luma(image) }
        if grain > 0 {
            var generator = SeededGenerator(seed: 77)
            for i in image.samples.indices { image.samples[i] += Float(generator.nextNormal() * grain) }
        }
        return eightBit(image)
    }

    /// The grain of `scene`: 0.004 ≈ one 8-bit level.
    static let defaultGrain = 0.004

    /// The default 256 × 256 RGB scene, made once.
    static let clean: Image = scene()

    /// The clean picture before rounding to 8 bits.
    static func rawScene(width: Int, height: Int) -> Image {
        var image = try! Image(width: width, height: height, layout: .rgb)
        let w = Double(width), h = Double(height)
        // Fine texture: smoothed white noise of a fixed seed (σ 0.035 where it is applied).
        var generator = SeededGenerator(seed: 20_240_601)
        var white = (0 ..< width * height).map { _ in generator.nextNormal() }
        white = smooth3(white, width: width, height: height)
        // Shapes, painted back to front: (coverage function, colour).
        typealias Shape = (coverage: (Double, Double) -> Double, color: (Double, Double, Double))
        let shapes: [Shape] = [
            // Axis-aligned rectangle, top left: straight horizontal and vertical edges.
            (box(x0: 0.08 * w, y0: 0.10 * h, x1: 0.42 * w, y1: 0.38 * h), (0.32, 0.35, 0.44)),
            // A rotated rectangle (slanted straight edges at about 30°).
            (rotatedBox(cx: 0.70 * w, cy: 0.27 * h, halfWidth: 0.17 * w, halfHeight: 0.09 * h, angle: 0.52),
             (0.66, 0.42, 0.38)),
            // A disc: curved edges at every angle.
            (disc(cx: 0.33 * w, cy: 0.70 * h, radius: 0.17 * w), (0.72, 0.66, 0.52)),
            // A smaller dark disc overlapping the first.
            (disc(cx: 0.46 * w, cy: 0.80 * h, radius: 0.08 * w), (0.36, 0.42, 0.34)),
            // A triangle, bottom right: three more slants.
            (triangle((0.62 * w, 0.56 * h), (0.92 * w, 0.62 * h), (0.74 * w, 0.92 * h)), (0.40, 0.52, 0.62)),
        ]
        for y in 0 ..< height {
            for x in 0 ..< width {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                // Background: a gentle diagonal gradient with slow shading.
                let shade = 0.03 * sin(px / w * 5.1 + 0.7) * cos(py / h * 3.7)
                var r = 0.50 + 0.08 * px / w + shade
                var g = 0.53 + 0.05 * py / h + shade
                var b = 0.55 - 0.07 * px / w + shade
                for shape in shapes {
                    let a = shape.coverage(px, py)
                    guard a > 0 else { continue }
                    // Shapes carry their own slow shading.
                    let s = 0.025 * sin(px / w * 7.3 + py / h * 2.9)
                    r += a * (shape.color.0 + s - r)
                    g += a * (shape.color.1 + s - g)
                    b += a * (shape.color.2 + s - b)
                }
                // Fine texture in the right-hand middle band and inside the big disc.
                let textured = (px > 0.55 * w && py > 0.40 * h && py < 0.55 * h)
                    || hypot(px - 0.30 * w, py - 0.66 * h) < 0.08 * w
                let t = textured ? 0.035 * white[y * width + x] : 0
                image[x, y, 0] = Float(r + t)
                image[x, y, 1] = Float(g + t)
                image[x, y, 2] = Float(b + t)
            }
        }
        return image
    }

    /// `image` rounded to 8 bits per sample (as written to and read from a file).
    static func eightBit(_ image: Image) -> Image {
        let bytes = image.interleaved8()
        return try! bytes.withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: image.width, height: image.height, layout: image.layout)
        }
    }

    /// The image `prompt` describes the damage of (`PromptDegradation`), rounded to 8 bits.
    static func degraded(_ clean: Image, _ prompt: String, seed: UInt64 = 1) -> Image {
        let parsed = try! RestorationPrompt.parse(prompt)
        return eightBit(try! PromptDegradation.apply(parsed, to: clean, seed: seed).image)
    }

    /// JFIF luma of an RGB image, as a gray image.
    static func luma(_ rgb: Image) -> Image {
        var out = try! Image(width: rgb.width, height: rgb.height, layout: .gray)
        for y in 0 ..< rgb.height {
            for x in 0 ..< rgb.width {
                out[x, y, 0] = 0.299 * rgb[x, y, 0] + 0.587 * rgb[x, y, 1] + 0.114 * rgb[x, y, 2]
            }
        }
        return out
    }

    /// The image encoded as a JPEG file at IJG `quality` (libjpeg-turbo, 4:2:0)
    /// and decoded back, with what the decoder reported.
    static func jpegFile(_ image: Image, quality: Int) -> DecodedImage {
        try! JPEGCodec.decode(try! JPEGCodec.encode(image, quality: quality))
    }

    // MARK: - Shapes as pixel coverage

    /// Coverage of a pixel centred at (x, y) by the region where `distance`
    /// (signed, negative inside, in pixels) is negative: a 1-px ramp across the
    /// boundary, the area a pixel's box has inside a straight edge.
    private static func coverage(_ signedDistance: Double) -> Double {
        min(1, max(0, 0.5 - signedDistance))
    }

    private static func box(x0: Double, y0: Double, x1: Double, y1: Double) -> (Double, Double) -> Double {
        { x, y in
            // Separable: the product of the two axes' coverages.
            coverage(max(x0 - x, x - x1)) * coverage(max(y0 - y, y - y1))
        }
    }

    private static func rotatedBox(cx: Double, cy: Double, halfWidth: Double, halfHeight: Double,
                                   angle: Double) -> (Double, Double) -> Double {
        let c = cos(angle), s = sin(angle)
        return { x, y in
            let u = (x - cx) * c + (y - cy) * s, v = -(x - cx) * s + (y - cy) * c
            return coverage(abs(u) - halfWidth) * coverage(abs(v) - halfHeight)
        }
    }

    private static func disc(cx: Double, cy: Double, radius: Double) -> (Double, Double) -> Double {
        { x, y in coverage(hypot(x - cx, y - cy) - radius) }
    }

    private static func triangle(_ a: (Double, Double), _ b: (Double, Double),
                                 _ c: (Double, Double)) -> (Double, Double) -> Double {
        // Signed distances to the three edge lines (counter-clockwise or not).
        let orientation = (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0) > 0 ? 1.0 : -1.0
        func edge(_ p: (Double, Double), _ q: (Double, Double)) -> (Double, Double) -> Double {
            let dx = q.0 - p.0, dy = q.1 - p.1, length = hypot(dx, dy)
            // cross(q − p, pt − p) is positive inside a counter-clockwise triangle.
            return { x, y in -orientation * (dx * (y - p.1) - dy * (x - p.0)) / length }
        }
        let edges = [edge(a, b), edge(b, c), edge(c, a)]
        return { x, y in edges.reduce(1) { $0 * coverage($1(x, y)) } }
    }

    /// A 3×3 box smoothing of a plane (edges clamped), scaled back to unit σ.
    private static func smooth3(_ plane: [Double], width: Int, height: Int) -> [Double] {
        var out = plane
        for y in 0 ..< height {
            for x in 0 ..< width {
                var sum = 0.0
                for dy in -1 ... 1 {
                    for dx in -1 ... 1 {
                        let xx = min(max(x + dx, 0), width - 1), yy = min(max(y + dy, 0), height - 1)
                        sum += plane[yy * width + xx]
                    }
                }
                out[y * width + x] = sum / 3   // σ of a 9-sample mean is 1/3; ×3 gives back unit σ
            }
        }
        return out
    }
}

/// Analyses several tests share, made once.
enum AnalyzeFixtures {
    /// The analysis of the clean default scene.
    static let cleanAnalysis: DegradationAnalysis = DegradationAnalyzer().analyze(AnalyzeTestImages.clean)
    /// The default scene with colour noise of σ 0.05 (seed 11), and its analysis.
    static let noisy: Image = AnalyzeTestImages.degraded(AnalyzeTestImages.clean, "Denoise with sigma 0.05", seed: 11)
    static let noisyAnalysis: DegradationAnalysis = DegradationAnalyzer().analyze(noisy)
}
