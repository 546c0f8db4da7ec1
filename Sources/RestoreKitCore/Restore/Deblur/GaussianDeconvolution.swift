#if canImport(Glibc)
import Glibc
#endif

/// Removes a Gaussian blur of a stated σ ("Deblur with sigma S"), in the
/// presence of Gaussian noise of a stated σ ("Denoise with sigma N"), without
/// weights: non-blind deconvolution of exactly that blur.
///
/// The model is the Degrade module's: the image convolved with the sampled
/// Gaussian of σ (taps out to ⌈4σ⌉, reflect-101 borders), plus white noise.
/// Only that blur is inverted: an image that was blurred more (intentional
/// defocus, bokeh) keeps the rest of its blur.
///
/// Method: each plane is framed periodically with mirrored margins
/// (`PeriodicFrame`, so no ringing at the borders) and deconvolved by
/// half-quadratic splitting with a hyper-Laplacian (|∇x|^(2/3)) gradient prior
/// (`HalfQuadraticDeconvolver`; eight iterations of two FFTs each). RGB is
/// first turned into an orthonormal luminance/opponent basis whose colour
/// planes get a prior `chromaPriorScale` times stronger and half the
/// iterations (the same final β, reached in bigger steps: they are smooth,
/// and that saves a third of the work). The data weight is
/// λ = κ(σ) / σₙ², with σₙ² the stated noise variance plus a floor for 8-bit
/// data, and κ(σ) = 0.2 + 0.2σ² (see `dataWeight`). Results are clamped to
/// [0, 1] and deterministic (the same for any thread count).
public struct GaussianDeconvolution: LocalRestorer {
    /// The blur's standard deviation in pixels.
    public let sigma: Double
    /// The stated noise's standard deviation in [0, 1] units (0: none stated).
    public let noise: Double

    /// κ(σ) = λ·σₙ², the data term's weight relative to the unit-weight prior
    /// per unit of noise variance, fitted on crops of BSDS500 training images
    /// (not the benchmark's CBSD68; see bench/NOTES.md). The best κ grows with
    /// the blur because a wider blur leaves the prior more to fill in, and too
    /// large a κ at small σ lets amplified noise through as "edges".
    static func dataWeight(sigma: Double) -> Double {
        0.2 + 0.2 * sigma * sigma
    }

    /// How much stronger the prior is on the two opponent-colour planes: a
    /// value that does as well as any on the training crops at low noise and
    /// at strong noise alike (see bench/NOTES.md).
    static let chromaPriorScale = 5.0

    /// Iterations on the luminance (or gray) plane and on colour planes: the
    /// smooth colour planes do almost as well with half (see bench/NOTES.md).
    static let lumaIterations = 8
    static let chromaIterations = 4

    /// The variance floor of the data term: three times that of 8-bit
    /// rounding (a uniform error of one code value, 1/(255·√12)). Rounding is
    /// the noise left in a clean 8-bit file, but it also breaks the linear
    /// model slightly, so the floor sits above the bare rounding variance;
    /// it matters only when little or no noise is stated (see bench/NOTES.md).
    static let noiseFloorVariance = 3.0 / (255.0 * 255.0 * 12.0)

    /// A deconvolution of the Gaussian blur `sigma` (pixels) with noise `noise`
    /// ([0, 1] units; 0 when none was stated). Invalid values are reported by
    /// `restore` as `RestoreError.invalidArgument`; σ = 0 restores nothing.
    public init(sigma: Double, noise: Double) {
        self.sigma = sigma
        self.noise = noise
    }

    public var name: String { "Gaussian deconvolution" }

    /// Context needed on each side: the deconvolution's reach (its inverse
    /// filter and the prior spread each pixel's influence over several σ),
    /// measured so tiles agree with a whole-image restore to well below a
    /// code value; see the tile tests.
    public var halo: Int {
        guard sigma.isFinite, sigma > 0 else { return 0 }
        return Int((8 * sigma).rounded(.up)) + 8
    }

    /// The noise variance the data term assumes.
    var effectiveNoiseVariance: Double {
        noise * noise + Self.noiseFloorVariance
    }

    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        guard sigma.isFinite, sigma >= 0 else {
            throw RestoreError(.invalidArgument, "the blur sigma must be a finite number of pixels ≥ 0, not \(sigma)")
        }
        guard noise.isFinite, noise >= 0 else {
            throw RestoreError(.invalidArgument, "the noise sigma must be finite and ≥ 0, not \(noise)")
        }
        try context.checkCancelled()
        guard sigma > 0 else { return tile }

        let colors = tile.layout.colorChannelCount
        let count = tile.planeCount
        let frame = PeriodicFrame(width: tile.width, height: tile.height, margin: halo, minimumGap: 16)
        let solver = try HalfQuadraticDeconvolver(width: frame.frameWidth, height: frame.frameHeight, sigma: sigma)
        let lambda = Self.dataWeight(sigma: sigma) / effectiveNoiseVariance
        let threads = context.threads
        let iterations = (0 ..< colors).map { $0 == 0 ? Self.lumaIterations : Self.chromaIterations }
        let totalSteps = Double(2 * iterations.reduce(0, +))

        var out = tile
        try out.samples.withUnsafeMutableBufferPointer { samples in
            let base = samples.baseAddress!
            if colors == 3 {
                OpponentBasis.forward(base, base + count, base + 2 * count, count: count)
            }
            var stepsBefore = 0
            for c in 0 ..< colors {
                let plane = UnsafeMutableBufferPointer(start: base + c * count, count: count)
                let weight = c == 0 ? lambda : lambda / Self.chromaPriorScale
                let framed = frame.embed(UnsafeBufferPointer(plane), threads: threads)
                let restored = try solver.solve(framed, lambda: Float(weight), iterations: iterations[c],
                                                threads: threads) { done in
                    try context.report(Double(stepsBefore + done) / totalSteps)
                }
                frame.extract(restored, into: plane)
                stepsBefore += 2 * iterations[c]
            }
            if colors == 3 {
                OpponentBasis.inverse(base, base + count, base + 2 * count, count: count)
            }
            for i in 0 ..< colors * count {
                base[i] = min(1, max(0, base[i]))
            }
        }
        return out
    }
}
