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
/// - the prior step: z = FFDNet(x) at noise level σₖ,
/// with σₖ falling log-linearly from 49/255 to the noise (`schedule`). Only
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

    /// Half-quadratic iterations: DPIR's eight. Twelve or sixteen gain
    /// under 0.03 dB (BSDS500-train σ 2 + 0.005, CBSD68 σ 2 + 0.01).
    static let iterations = 8
    /// The prior's first noise level: DPIR's 49/255, strong enough to wipe
    /// the noise the first data step amplifies.
    static let firstSigma = 49.0 / 255
    /// The smallest noise level the schedule ends at: about 8-bit rounding
    /// plus what the linear model misses, so a noise-free input still gets a
    /// working prior. Ending higher (2/255) loses 0.9 dB at σ 1 + 0.005.
    static let noiseFloor = 1.0 / 255
    /// λ in αₖ = λ·σₙ²/σₖ², the data weight relative to the prior's strength:
    /// DPIR's 0.23, the best of those tried on CBSD68's first five and four
    /// BSDS500-train images. 0.1 gains 0.2 dB at σ 2 + 0.01 but loses 2.3 to
    /// 3.6 dB at noise 0.005 (the last data steps let amplified noise
    /// through); 0.5 loses 0.8 dB at σ 1 + 0.005.
    static let dataWeight = 0.23

    /// The noise levels FFDNet is trained for cover what this accepts: a
    /// positive blur and noise up to FFDNet's 75/255.
    static func accepts(sigma: Double, noise: Double) -> Bool {
        sigma.isFinite && sigma > 0 && noise.isFinite && noise >= 0 && noise <= FFDNetRestorer.maximumSigma
    }

    /// The prior's noise level σₖ and the data step's weight αₖ for each
    /// iteration, for stated noise `noise`.
    static func schedule(noise: Double) -> [(sigma: Double, alpha: Double)] {
        let last = max(noise, noiseFloor), first = max(firstSigma, last)
        return (0 ..< iterations).map { k in
            let t = Double(k) / Double(iterations - 1)
            let s = exp(log(first) + t * (log(last) - log(first)))
            return (s, dataWeight * last * last / (s * s))
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
        let schedule = Self.schedule(noise: noise)
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
            z = try model.denoise(x, width: tile.width, height: tile.height, sigma: Float(level.sigma),
                                  threads: threads) { try context.report((Double(k) + $0) / Double(schedule.count)) }
        }
        return tile.replacingColors(with: z)
    }
}
