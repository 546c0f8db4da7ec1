#if canImport(Glibc)
import Glibc
#endif

/// A camera's processing run backwards from an sRGB photo to raw sensor data,
/// then forwards again with realistic sensor noise in between, after Brooks et
/// al., "Unprocessing Images for Learned Raw Denoising" (CVPR 2019):
///
/// sRGB → inverse tone curve → inverse gamma → inverse colour matrix → inverse
/// white balance and brightness → RGGB Bayer mosaic → shot + read noise (variance
/// shot · x + read) → bilinear demosaic → white balance and brightness → colour
/// matrix → gamma → tone curve → optional unsharp masking → optional JPEG.
///
/// The noise that comes out depends on brightness and channel (shot noise seen
/// through gains, colour matrix and gamma) and is spatially and across channels
/// correlated (demosaicing, sharpening): what real photographs carry, unlike
/// white Gaussian noise. `CameraNoiseModel` measures it exactly, as the difference
/// to the same pipeline run without noise.
public enum CameraPipeline {
    /// What one draw of the pipeline applies (before JPEG).
    public struct Parameters: Equatable, Sendable {
        /// Linear sRGB → camera RGB, 3 × 3 row-major, each row summing to 1.
        public var rgbToCamera: [Double]
        /// White-balance gains of the red and blue channels, and the brightness
        /// gain of all three (each undone before the mosaic and redone after).
        public var redGain: Double
        public var blueGain: Double
        public var brightness: Double
        /// Raw noise variance at raw level x: shotNoise · x + readNoise.
        public var shotNoise: Double
        public var readNoise: Double
        /// Unsharp-mask amount (Gaussian σ 1 px); 0 for none.
        public var sharpening: Double
    }

    /// XYZ → camera matrices of four cameras (dcraw's calibration table, the set
    /// Brooks et al. mix from).
    static let xyzToCameras: [[Double]] = [
        [1.0234, -0.2969, -0.2266, -0.5625, 1.6328, -0.0469, -0.0703, 0.2188, 0.6406],
        [0.4913, -0.0541, -0.0202, -0.6130, 1.3513, 0.2906, -0.1564, 0.2151, 0.7183],
        [0.8380, -0.2630, -0.0639, -0.2887, 1.0725, 0.2496, -0.0627, 0.1427, 0.5438],
        [0.6596, -0.2079, -0.0562, -0.4782, 1.3016, 0.1933, -0.0970, 0.1581, 0.5181],
    ]
    /// Linear sRGB (D65) → XYZ.
    static let rgbToXYZ: [Double] = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.0721750,
                                     0.0193339, 0.1191920, 0.9503041]
    /// Shot-noise variance range (log-uniform), and the read-noise relation
    /// log read = 2.18 · log shot + 1.20 + N(0, 0.26²), from Brooks et al.'s fit to real sensors.
    public static let shotNoiseRange: ClosedRange<Double> = 0.0001 ... 0.012
    /// JPEG quality when the draw compresses (probability ½).
    public static let jpegQualityRange: ClosedRange<Int> = 70 ... 95

    /// Samples one draw: a random mix of the four colour matrices, gains, a
    /// shot/read noise pair, sharpening (probability ½, amount 0.25–1) and JPEG
    /// (probability ½).
    public static func sample(using g: inout SeededGenerator) -> (Parameters, jpegQuality: Int?) {
        let weights = (0 ..< xyzToCameras.count).map { _ in g.uniform(1e-8, 1) }
        let total = weights.reduce(0, +)
        let xyzToCamera = (0 ..< 9).map { i -> Double in
            var sum = 0.0
            for (weight, matrix) in zip(weights, xyzToCameras) { sum += weight * matrix[i] }
            return sum / total
        }
        var rgbToCamera = multiply3(xyzToCamera, rgbToXYZ)
        for row in 0 ..< 3 {
            let sum = rgbToCamera[3 * row] + rgbToCamera[3 * row + 1] + rgbToCamera[3 * row + 2]
            for c in 0 ..< 3 { rgbToCamera[3 * row + c] /= sum }
        }
        let brightness = 1 / min(max(0.8 + 0.1 * g.nextNormal(), 0.5), 1.1)
        let redGain = g.uniform(1.9, 2.4), blueGain = g.uniform(1.5, 1.9)
        let logShot = g.uniform(log(shotNoiseRange.lowerBound), log(shotNoiseRange.upperBound))
        let logRead = 2.18 * logShot + 1.20 + 0.26 * g.nextNormal()
        let sharpening = g.chance(0.5) ? g.uniform(0.25, 1) : 0
        let quality = g.chance(0.5) ? g.integer(in: jpegQualityRange) : nil
        return (Parameters(rgbToCamera: rgbToCamera, redGain: redGain, blueGain: blueGain, brightness: brightness,
                           shotNoise: exp(logShot), readNoise: exp(logRead), sharpening: sharpening), quality)
    }

    /// Samples one draw from `seed` and applies it to `image` (RGB or RGBA; alpha
    /// passes through). The prompt states the noise's profile (σ at the three
    /// tones and the grain, `CameraNoiseModel.profile`) and the JPEG quality;
    /// `noise` is the whole truth.
    public static func degrade(_ image: Image, seed: UInt64) throws -> CameraDegradation {
        var generator = SeededGenerator(seed: seed)
        let (parameters, quality) = sample(using: &generator)
        let noiseSeed = generator.next()
        let clean = try render(image, parameters, noiseSeed: nil)
        let noisy = try render(image, parameters, noiseSeed: noiseSeed)
        let noise = CameraNoiseModel(noisy: noisy, clean: clean)
        var steps: [DegradationStep] = [.camera(parameters, noiseSeed: noiseSeed)]
        let profile = noise.profile
        var prompt = RestorationPrompt(denoise: .value(profile.midGreySigma(uniform: 0)), denoiseProfile: profile)
        var output = noisy
        if let quality {
            steps.append(.jpeg(quality: quality))
            prompt.dejpeg = .value(quality)
            output = try output.jpegRoundTrip(quality: quality)
        }
        return CameraDegradation(result: SyntheticDegradation(image: output, prompt: prompt, steps: steps),
                                 parameters: parameters, jpegQuality: quality, noise: noise)
    }

    /// `image` through the pipeline up to (not including) JPEG, with raw noise
    /// drawn from `noiseSeed` (row y of the mosaic from stream y), or none.
    public static func render(_ image: Image, _ p: Parameters, noiseSeed: UInt64?) throws -> Image {
        guard image.layout.colorChannelCount == 3 else {
            throw RestoreError(.invalidArgument, "the camera pipeline needs a colour image, not \(image.layout.name)")
        }
        let source = image.encoding == .sRGB ? image : image.converted(to: .sRGB)
        let w = image.width, h = image.height, n = image.planeCount
        let cameraToRGB = invert3(p.rgbToCamera)
        let gains = [p.redGain * p.brightness, p.brightness, p.blueGain * p.brightness]

        // Back to raw: one value per pixel, of the channel the RGGB mosaic keeps there.
        var raw = [Float](repeating: 0, count: n)
        for y in 0 ..< h {
            for x in 0 ..< w {
                let i = y * w + x
                var linear = SIMD3<Double>()
                for c in 0 ..< 3 {
                    let v = min(max(Double(source.samples[c * n + i]), 0), 1)
                    // Inverse of the tone curve 3x² − 2x³, then of the gamma.
                    let toned = 0.5 - sin(asin(1 - 2 * v) / 3)
                    linear[c] = pow(max(toned, 1e-8), 2.2)
                }
                let channel = bayerChannel(x: x, y: y)
                var camera = 0.0
                for k in 0 ..< 3 { camera += p.rgbToCamera[3 * channel + k] * linear[k] }
                // Gains below 1 are eased towards 1 in highlights (grey above 0.9), so
                // that clipped whites stay white when the gains are applied again.
                let grey = (linear[0] + linear[1] + linear[2]) / 3
                let mask = pow(max(grey - 0.9, 0) / 0.1, 2)
                let inverse = 1 / gains[channel]
                raw[i] = Float(camera * max(mask + (1 - mask) * inverse, inverse))
            }
        }
        if let noiseSeed {
            for y in 0 ..< h {
                var generator = SeededGenerator(seed: noiseSeed, stream: UInt64(y))
                for x in 0 ..< w {
                    let v = Double(raw[y * w + x])
                    raw[y * w + x] = Float(v + generator.nextNormal() * max(p.shotNoise * v + p.readNoise, 0).squareRoot())
                }
            }
        }

        // And forwards: demosaic, gains, colour matrix, gamma, tone curve.
        let camera = demosaic(raw, width: w, height: h)
        var out = source
        for i in 0 ..< n {
            var balanced = SIMD3<Double>()
            for c in 0 ..< 3 { balanced[c] = min(max(Double(camera[c][i]) * gains[c], 0), 1) }
            for c in 0 ..< 3 {
                var linear = 0.0
                for k in 0 ..< 3 { linear += cameraToRGB[3 * c + k] * balanced[k] }
                linear = min(max(linear, 0), 1)
                let v = pow(max(linear, 1e-8), 1 / 2.2)
                out.samples[c * n + i] = Float(v * v * (3 - 2 * v))
            }
        }
        if p.sharpening > 0 {
            let blurred = out.convolved(with: try BlurKernel(.gaussian(sigma: 1)))
            for i in 0 ..< 3 * n {
                let v = out.samples[i] + Float(p.sharpening) * (out.samples[i] - blurred.samples[i])
                out.samples[i] = min(max(v, 0), 1)
            }
        }
        return image.encoding == .sRGB ? out : out.converted(to: image.encoding)
    }

    /// The channel an RGGB mosaic keeps at (x, y): 0 red, 1 green, 2 blue.
    static func bayerChannel(x: Int, y: Int) -> Int {
        (y & 1) + (x & 1)
    }

    /// Bilinear demosaicing of an RGGB mosaic: each missing value is the mean of
    /// the nearest samples of its channel (borders mirrored).
    static func demosaic(_ raw: [Float], width w: Int, height h: Int) -> [[Float]] {
        func at(_ x: Int, _ y: Int) -> Float {
            // Mirror without repeating the edge, which keeps the Bayer phase.
            let mx = x < 0 ? -x : x >= w ? 2 * (w - 1) - x : x
            let my = y < 0 ? -y : y >= h ? 2 * (h - 1) - y : y
            return raw[min(max(my, 0), h - 1) * w + min(max(mx, 0), w - 1)]
        }
        var planes = [[Float]](repeating: [Float](repeating: 0, count: w * h), count: 3)
        for y in 0 ..< h {
            for x in 0 ..< w {
                let own = bayerChannel(x: x, y: y)
                let cross = (at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1)) / 4
                let diagonal = (at(x - 1, y - 1) + at(x + 1, y - 1) + at(x - 1, y + 1) + at(x + 1, y + 1)) / 4
                let across = (at(x - 1, y) + at(x + 1, y)) / 2, along = (at(x, y - 1) + at(x, y + 1)) / 2
                for c in 0 ..< 3 {
                    let value: Float
                    if c == own {
                        value = at(x, y)
                    } else if c == 1 {
                        value = cross  // green at a red or blue site
                    } else if own == 1 {
                        // Red or blue at a green site: from the row or the column that has it.
                        value = bayerChannel(x: x + 1, y: y) == c ? across : along
                    } else {
                        value = diagonal  // red at blue, blue at red
                    }
                    planes[c][y * w + x] = value
                }
            }
        }
        return planes
    }

    private static func multiply3(_ a: [Double], _ b: [Double]) -> [Double] {
        (0 ..< 9).map { i -> Double in
            let row = i / 3, column = i % 3
            var sum = 0.0
            for k in 0 ..< 3 { sum += a[row * 3 + k] * b[k * 3 + column] }
            return sum
        }
    }

    private static func invert3(_ m: [Double]) -> [Double] {
        let cofactors = (0 ..< 9).map { i -> Double in
            let r = i / 3, c = i % 3
            let r1 = (r + 1) % 3, r2 = (r + 2) % 3, c1 = (c + 1) % 3, c2 = (c + 2) % 3
            return m[r1 * 3 + c1] * m[r2 * 3 + c2] - m[r1 * 3 + c2] * m[r2 * 3 + c1]
        }
        let determinant = m[0] * cofactors[0] + m[1] * cofactors[1] + m[2] * cofactors[2]
        // The inverse is the transposed cofactor matrix over the determinant.
        return (0 ..< 9).map { i in cofactors[(i % 3) * 3 + i / 3] / determinant }
    }
}
