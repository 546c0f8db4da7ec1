#if canImport(Glibc)
import Glibc
#endif

/// Removes a Gaussian blur of a stated σ, with or without stated noise, by
/// plug-and-play half-quadratic splitting with FFDNet as the prior (the
/// IRCNN/DPIR recipe: Zhang et al., CVPR 2017 and TPAMI 2021).
///
/// Each iteration k alternates
/// - the data step: x = argmin ‖k ∗ x − y‖² + αₖ‖x − z‖², exact in Fourier
///   space on a periodic frame with mirrored margins (`GaussianProximalStep`,
///   `PeriodicFrame`: no ringing at the borders, and reflect-101 is how the
///   Degrade module blurs them), and
/// - the prior step: z = FFDNet(x) at noise level σₖ, x shown in the k-th of
///   its eight orientations (`DihedralTransform`; DPIR's trick: the prior's
///   errors, which depend on orientation, average out over the iterations),
/// with σₖ falling log-linearly from 49/255 to twice the noise (`schedule`). Only
/// the stated blur is in the data term, so extra defocus stays.
///
/// Tiles start on even pixels (FFDNet's 2 × 2 phases are the whole image's)
/// and carry `halo` pixels of context, enough that a tiled restore equals the
/// whole-image one within a code value or so. The result is clamped to [0, 1].
public struct PlugAndPlayDeblurrer: LocalRestorer {
    /// The blur's standard deviation in pixels.
    public let sigma: Double
    /// The stated noise's standard deviation in [0, 1] units (0: none stated).
    public let noise: Double
    private let networks: [FFDNetNetwork]

    /// The most half-quadratic iterations: DPIR's eight, for the widest
    /// schedules (see `iterations`). More gain next to nothing and fewer lose
    /// a little: the prior, not the schedule, is the limit, and none of the
    /// variations tried on the plain splitting was worth its cost (see
    /// bench/NOTES.md).
    static let maximumIterations = 8
    /// The largest ratio between successive noise levels σₖ: √2. DPIR's
    /// eight iterations step by at most that much at the benchmark's σ 2 +
    /// 0.01 and σ 1 + 0.005, and noise-free inputs; a schedule that spans
    /// less takes fewer steps.
    static let largestStep = 2.0.squareRoot()

    /// Iterations for a schedule from σ `first` down to σ `last`: one per
    /// `largestStep`, at least three and at most `maximumIterations`. Strong
    /// noise ends the schedule early, where extra prior passes only cost
    /// time: the demo prompt scores as well with the four this gives as with
    /// eight, in half the time. Noise of 0.1 or more makes the schedule
    /// constant, and there fewer passes than three lose quality (see
    /// bench/NOTES.md).
    static func iterations(first: Double, last: Double) -> Int {
        let steps = Int((log(first / last) / log(largestStep)).rounded(.up))
        return min(maximumIterations, max(3, 1 + steps))
    }

    /// The prior's first noise level: DPIR's 49/255, strong enough to wipe
    /// the noise the first data step amplifies.
    static let firstSigma = 49.0 / 255
    /// The smallest noise level the schedule assumes: about 8-bit rounding
    /// plus what the linear model misses, so a noise-free input still gets a
    /// working prior; a higher one costs light blurs dearly (see
    /// bench/NOTES.md).
    static let noiseFloor = 1.0 / 255
    /// The schedule ends at this multiple of the noise (or the floor) while
    /// αₖ stays referred to the noise itself, so the last data steps weigh
    /// the data 4 times more than DPIR's and the last prior steps smooth
    /// what that lets through: a small gain at every blur and noise tuned
    /// (see bench/NOTES.md).
    static let lastSigmaScale = 2.0
    /// λ in αₖ = λ·σₙ²/σₖ², the data weight relative to the prior's
    /// strength, for a blur of `sigma` pixels: 0.23·σ^−1.2 (DPIR's 0.23 at
    /// σ 1, 0.1 at σ 2), within [0.1, 0.5].
    ///
    /// The best λ falls with the blur, not with the noise (the sweep is in
    /// bench/NOTES.md). The reason is the last data step's noise gain,
    /// √mean(K²/(K² + λ)²): a wide blur's transfer K is near 0 at most
    /// frequencies, which pass no noise, so a wide blur affords a smaller λ
    /// (sharper steps) before amplified noise swamps the prior (0.43 at σ 2,
    /// λ 0.1; 0.53 at σ 1, λ 0.23). Below the best λ quality falls off a
    /// cliff and above it gently, hence the floor of 0.1 for blurs wider
    /// than 2 (untuned there).
    static func dataWeight(sigma: Double) -> Double {
        min(0.5, max(0.1, 0.23 * pow(sigma, -1.2)))
    }

    /// The noise levels FFDNet is trained for cover what this accepts: a
    /// positive blur and noise up to FFDNet's 75/255.
    static func accepts(sigma: Double, noise: Double) -> Bool {
        sigma.isFinite && sigma > 0 && noise.isFinite && noise >= 0 && noise <= FFDNetRestorer.maximumSigma
    }

    /// The prior's noise level σₖ and the data step's weight αₖ for each
    /// iteration, for stated noise `noise` and a blur of `sigma` pixels.
    static func schedule(noise: Double, sigma: Double) -> [(sigma: Double, alpha: Double)] {
        // FFDNet is trained up to 75/255: strong noise ends the schedule there.
        let floored = max(noise, noiseFloor), last = min(lastSigmaScale * floored, FFDNetRestorer.maximumSigma)
        let first = max(firstSigma, last), lambda = dataWeight(sigma: sigma)
        let count = iterations(first: first, last: last)
        return (0 ..< count).map { k in
            let t = Double(k) / Double(count - 1)
            let s = exp(log(first) + t * (log(last) - log(first)))
            return (s, lambda * floored * floored / (s * s))
        }
    }

    /// The restorer for `colors` (1 or 3) channels; throws when the FFDNet
    /// model is not installed or damaged.
    init(sigma: Double, noise: Double, colors: Int, models: ModelDirectory) throws {
        self.sigma = sigma
        self.noise = noise
        networks = try FFDNetRestorer.networks(colors: colors, models: models)
    }

    public var name: String { networks[0].colors == 3 ? "plug-and-play FFDNet colour" : "plug-and-play FFDNet gray" }

    /// Mirrored samples around a plane in its periodic frame: twice the
    /// blur's reach, so the data term sees the model's borders.
    private var margin: Int { 2 * GaussianTransfer.radius(sigma: sigma) + 8 }

    /// Context needed on each side, measured on the tile tests: the blur's
    /// reach plus FFDNet's receptive field, compounded over the iterations.
    public var halo: Int { Int((8 * sigma).rounded(.up)) + 48 }

    public var alignment: Int { 2 }

    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        guard Self.accepts(sigma: sigma, noise: noise) else {
            throw RestoreError(.invalidArgument, "\(name) needs a blur sigma > 0 and noise in [0, 75/255], not \(sigma) and \(noise)")
        }
        let model = try networks.fitting(tile, restorer: name)
        try context.checkCancelled()
        let colors = model.colors, count = tile.planeCount, threads = context.threads
        var z = Array(tile.samples.prefix(colors * count))
        let frame = PeriodicFrame(width: tile.width, height: tile.height, margin: margin, minimumGap: 16)
        let steps = try (0 ..< colors).map { c in
            let framed = z.withUnsafeBufferPointer {
                frame.embed(UnsafeBufferPointer(rebasing: $0[c * count ..< (c + 1) * count]), threads: threads)
            }
            return try GaussianProximalStep(observed: framed, width: frame.frameWidth, height: frame.frameHeight,
                                            sigma: sigma, threads: threads)
        }
        let schedule = Self.schedule(noise: noise, sigma: sigma)
        var x = z
        for (k, level) in schedule.enumerated() {
            for c in 0 ..< colors {
                let framed = z.withUnsafeBufferPointer {
                    frame.embed(UnsafeBufferPointer(rebasing: $0[c * count ..< (c + 1) * count]), threads: threads)
                }
                let solved = try steps[c].solve(prior: framed, alpha: Float(level.alpha), threads: threads)
                x.withUnsafeMutableBufferPointer {
                    frame.extract(solved, into: UnsafeMutableBufferPointer(rebasing: $0[c * count ..< (c + 1) * count]))
                }
            }
            let turn = DihedralTransform(mode: k % 8, width: tile.width, height: tile.height)
            let denoised = try model.denoise(turn.apply(x, count: colors), width: turn.turnedWidth,
                                             height: turn.turnedHeight, sigma: Float(level.sigma), threads: threads) {
                try context.report((Double(k) + $0) / Double(schedule.count))
            }
            z = turn.invert(denoised, count: colors)
        }
        return tile.replacingColors(with: z)
    }
}
