/// The noise a `CameraPipeline` draw added, measured exactly: the difference
/// between its output and the same pipeline run without noise (both before
/// JPEG), summarised per colour channel as the standard deviation by level of
/// the noise-free output and the spatial autocorrelation.
public struct CameraNoiseModel: Sendable, Equatable {
    /// One colour channel's noise.
    public struct Channel: Sendable, Equatable {
        /// Standard deviation per level bin (`CameraNoiseModel.levels`); nil
        /// where fewer than `minimumPixels` pixels fall in the bin.
        public var sigmas: [Double?]
        /// Pixels in each bin.
        public var pixels: [Int]
        /// Correlation of the noise with itself shifted by (dx, dy), for
        /// `CameraNoiseModel.lags`: about 0 for white noise, near 1 for coarse grain.
        public var correlations: [Double]
    }

    /// Bin edges of the noise-free level: [0, 0.1), [0.1, 0.2), … [0.9, 1].
    public static let binCount = 10
    /// Bins with fewer pixels get no σ.
    public static let minimumPixels = 64
    /// The shifts the autocorrelation is given for.
    public static let lags: [(dx: Int, dy: Int)] = [(1, 0), (0, 1), (1, 1), (2, 0), (0, 2)]

    /// The shifts summed for the grain: up to this many pixels each way.
    public static let grainReach = 4

    /// Red, green, blue.
    public var channels: [Channel]
    /// Root mean square of the noise over every colour sample.
    public var sigma: Double
    /// The grain size in pixels (`NoiseProfile.grain`): the square root of the
    /// correlation area, the autocorrelation summed over shifts up to
    /// `grainReach` each way, averaged over the channels (1 for white noise).
    public var grain: Double

    /// The noise as a restoration prompt states it: σ in shadows, midtones
    /// and highlights (the channels' mean σ at those levels, to 0.001) and
    /// the grain (to 0.1).
    public var profile: NoiseProfile {
        let points = (0 ..< Self.binCount).compactMap { b -> (level: Double, sigma: Double)? in
            let sigmas = channels.compactMap { $0.sigmas[b] }
            guard !sigmas.isEmpty else { return nil }
            return ((Double(b) + 0.5) / Double(Self.binCount), sigmas.reduce(0, +) / Double(sigmas.count))
        }
        return NoiseProfile(measured: points, at: points.isEmpty ? [] : NoiseProfile.Tone.allCases, grain: grain)
    }

    /// Measures `noisy − clean` (same size, colour first, sRGB).
    init(noisy: Image, clean: Image) {
        let n = clean.planeCount, w = clean.width, h = clean.height
        var total = 0.0, area = 0.0
        channels = (0 ..< 3).map { c in
            var sums = [Double](repeating: 0, count: Self.binCount), squares = sums
            var pixels = [Int](repeating: 0, count: Self.binCount)
            var residual = [Double](repeating: 0, count: n)
            for i in 0 ..< n {
                let level = Double(clean.samples[c * n + i]), r = Double(noisy.samples[c * n + i]) - level
                residual[i] = r
                let bin = min(Self.binCount - 1, max(0, Int(level * Double(Self.binCount))))
                sums[bin] += r
                squares[bin] += r * r
                pixels[bin] += 1
            }
            total += squares.reduce(0, +)
            let sigmas = (0 ..< Self.binCount).map { b -> Double? in
                guard pixels[b] >= Self.minimumPixels else { return nil }
                let mean = sums[b] / Double(pixels[b])
                return max(squares[b] / Double(pixels[b]) - mean * mean, 0).squareRoot()
            }
            let energy = residual.reduce(0) { $0 + $1 * $1 }
            func correlation(_ dx: Int, _ dy: Int) -> Double {
                guard energy > 0, abs(dx) < w, dy < h else { return 0 }
                var sum = 0.0, first = 0.0, second = 0.0
                for y in 0 ..< h - dy {
                    for x in max(0, -dx) ..< min(w, w - dx) {
                        let a = residual[y * w + x], b = residual[(y + dy) * w + x + dx]
                        sum += a * b
                        first += a * a
                        second += b * b
                    }
                }
                return first > 0 && second > 0 ? sum / (first * second).squareRoot() : 0
            }
            // The shifts of one half-plane, each counted twice (ρ(−d) = ρ(d)), and ρ(0) = 1.
            let r = Self.grainReach
            var channelArea = 1.0
            for dy in 0 ... r {
                for dx in -r ... r where dy > 0 || dx > 0 { channelArea += 2 * correlation(dx, dy) }
            }
            area += max(channelArea, 1) / 3
            return Channel(sigmas: sigmas, pixels: pixels, correlations: Self.lags.map { correlation($0.dx, $0.dy) })
        }
        sigma = (total / Double(3 * n)).squareRoot()
        grain = area.squareRoot()
    }

    /// The model as a JSON object: `sigma`, `grain`, `levels` (bin centres), and per
    /// channel `sigma` (null for sparse bins), `pixels` and `correlation` keyed
    /// by lag ("dx,dy").
    public var json: String {
        func number(_ x: Double) -> String { ((x * 100_000).rounded() / 100_000).plainDecimalDescription }
        let levels = (0 ..< Self.binCount).map { number((Double($0) + 0.5) / Double(Self.binCount)) }
        let names = ["R", "G", "B"]
        let perChannel = zip(names, channels).map { name, channel in
            let sigmas = channel.sigmas.map { $0.map(number) ?? "null" }.joined(separator: ", ")
            let correlation = zip(Self.lags, channel.correlations)
                .map { "\"\($0.dx),\($0.dy)\": \(number($1))" }.joined(separator: ", ")
            return "{\"channel\": \"\(name)\", \"sigma\": [\(sigmas)], "
                + "\"pixels\": [\(channel.pixels.map(String.init).joined(separator: ", "))], "
                + "\"correlation\": {\(correlation)}}"
        }
        return "{\"sigma\": \(number(sigma)), \"grain\": \(number(grain)), "
            + "\"levels\": [\(levels.joined(separator: ", "))], "
            + "\"channels\": [\(perChannel.joined(separator: ", "))]}"
    }
}
