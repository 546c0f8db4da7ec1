/// Removes JPEG artefacts of a stated quality, "Dejpeg with quality Q", with
/// FFDNet as the prior and the quantisation constraint as the data term: the
/// luma (or gray) plane is denoised by FFDNet twice, at 0.5 and 1.4 times the
/// noise level the quantisation steps predict; each estimate is projected onto
/// the set of images whose DCT coefficients quantise to the observed ones
/// (`QuantizationConstraint`, with the file's tables when the input was a
/// JPEG, else Q's IJG tables); the two and the observed coefficients are
/// combined frequency by frequency with least-squares weights
/// (`JPEGAggregationWeights`, fitted on BSDS500 training images by
/// `scripts/jpeg-aggregation`), and the result is projected again. Chroma
/// takes the classic path, guided by the restored luma
/// (`JPEGPlanewiseRestoration`).
///
/// The light estimate keeps texture, the strong one removes blocking, and
/// which is closer to the original depends on the frequency and the step:
/// the combination beats the best single pass (0.9 times the predicted
/// level, then the projection) at every quality measured, at twice its time.
/// Iterating the plug-and-play steps loses (a denoiser applied to the
/// projected estimate smooths texture the first pass kept, and projection
/// cannot bring it back); a second pass, ADMM, boosting, an ensemble and a
/// noise map per block lost too or were not worth their cost. The figures
/// are in bench/NOTES.md.
///
/// Tiles start on the file's block grid (`alignment`, which is even, so
/// FFDNet's 2 × 2 phases are the whole image's too) and carry `halo` pixels
/// of context: a tiled restore equals the whole-image one up to float
/// rounding. The result is clamped to [0, 1].
public struct PlugAndPlayDeblocker: LocalRestorer {
    private let planewise: JPEGPlanewiseRestoration
    private let network: FFDNetNetwork

    /// The IJG quality stated in the prompt (1–100).
    public var quality: Int { planewise.quality }
    /// The quantisation tables in force: the file's own, or the IJG tables of `quality`.
    public var tables: JPEGTables { planewise.tables }
    /// How the file stored its chroma planes; colour images only.
    public var chroma: ChromaSubsampling { planewise.chroma }

    /// How far (in pixels) a luma sample of the result depends on the input:
    /// FFDNet gray's 15 layers at half resolution, doubled, plus the padding
    /// of an odd side, then the projection's 8 × 8 block.
    static let lumaReach = 2 * FFDNetNetwork.layers(colors: 1) + 2 + 8

    /// A deblocker for quality `quality` (clamped to 1–100) with the file's
    /// `tables` when known (else the IJG tables of `quality`), for colour
    /// files that stored chroma as `chroma` (4:2:0 by default); throws when
    /// the gray FFDNet model, which restores the luma, is not installed or
    /// damaged.
    init(quality: Int, tables: JPEGTables?, chroma: ChromaSubsampling = .both, models: ModelDirectory) throws {
        planewise = JPEGPlanewiseRestoration(quality: quality, tables: tables, chroma: chroma,
                                             name: "plug-and-play FFDNet JPEG deblocking")
        network = try FFDNetRestorer.network(colors: 1, models: models)
    }

    public var name: String { planewise.name }

    /// The luma's reach plus the classic chroma path's.
    public var halo: Int { planewise.halo(lumaReach: Self.lumaReach) }

    /// The file's block grid: 8 pixels, or 16 for subsampled chroma.
    public var alignment: Int { planewise.alignment }

    /// FFDNet's noise levels (in [0, 1] units) for luma steps `steps`: the
    /// classic deblocker's σ for the same table (`LumaDeblocking.sigma`, 1.15
    /// q̄^0.65 from the low-frequency steps) times each of the factors the
    /// aggregation weights were fitted for, within the network's range.
    static func sigmas(steps: [UInt16]) -> [Float] {
        let predicted = LumaDeblocking(steps: steps).sigma
        return JPEGAggregationWeights.sigmaFactors.map { min($0 * predicted / 255, Float(FFDNetRestorer.maximumSigma)) }
    }

    /// Restores `tile`, whose top-left pixel must lie on the block grid
    /// (`origin` a multiple of `alignment`); throws otherwise.
    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        try context.checkCancelled()
        return try planewise.restore(tile: tile, origin: origin, context: context) { try restoreLuma($0, context: $1) }
    }

    /// The luma (or gray) plane on the 0–255 scale, denoised twice and aggregated.
    private func restoreLuma(_ observed: JPEGPlane, context: RestorationContext) throws -> JPEGPlane {
        let threads = context.threads, sigmas = Self.sigmas(steps: tables.luma)
        let constraint = QuantizationConstraint(observed: observed, steps: tables.luma, threads: threads)
        let input = observed.samples.map { $0 / 255 }
        let estimates = try sigmas.enumerated().map { k, sigma in
            let denoised = try network.denoise(input, width: observed.width, height: observed.height, sigma: sigma,
                                               threads: threads) { try context.report((Double(k) + $0) / Double(sigmas.count)) }
            return JPEGPlane(width: observed.width, height: observed.height, samples: denoised.map { $0 * 255 })
        }
        return constraint.aggregate(estimates, weights: JPEGAggregationWeights.interpolated(steps: tables.luma),
                                    threads: threads)
    }
}
