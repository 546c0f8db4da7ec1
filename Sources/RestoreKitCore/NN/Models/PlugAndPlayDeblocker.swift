/// Removes JPEG artefacts of a stated quality, "Dejpeg with quality Q", with
/// FFDNet as the prior and the quantisation constraint as the data term: the
/// luma (or gray) plane is denoised by FFDNet at a noise level the
/// quantisation steps predict, then projected onto the set of images whose
/// DCT coefficients quantise to the observed ones (`QuantizationConstraint`,
/// with the file's tables when the input was a JPEG, else Q's IJG tables).
/// Chroma takes the classic path, guided by the restored luma
/// (`JPEGPlanewiseRestoration`).
///
/// The schedule is one prior step and one projection: the first half-
/// iteration of plug-and-play POCS/HQS (with an indicator data term, HQS's
/// data step is the projection whatever its weight). Measured on gray LIVE1
/// (PyTorch FFDNet, the same tables), every further step loses:
/// - iterating z = FFDNet(x, σₖ), x = project(z) with σₖ falling from σ to
///   σ/4, or constant at 0.8 σ, loses 0.2–0.7 dB after 2–6 iterations at
///   quality 10 and 30 (a denoiser applied to the projected estimate smooths
///   texture the first pass kept, and projection cannot bring it back);
/// - a second FFDNet pass at 0.15–0.45 σ after the projection loses
///   0.02–0.08 dB (projected or not), ADMM with a dual variable 0.07–0.2 dB;
/// - the projected result beats the network's own output by 0.04–0.3 dB;
/// - SOS boosting (FFDNet of the JPEG plus ρ × the estimate, ρ 0.5 or 1)
///   loses 0.05–0.3 dB; averaging with the classic deblocker's result (also
///   inside the constraint) loses 0.03–0.13 dB;
/// - FFDNet's eight-fold flip/rotation ensemble gains 0.03 dB at 8 × the
///   time; a noise map per block from the quantisation model (q²/12 for the
///   coded coefficients) gains up to 0.08 dB at quality 30 on crops but loses
///   0.08 dB at 20 on whole images: neither is kept. The margin inside the
///   intervals (0 to 1) changes nothing measurable (0.01 dB).
///
/// What is left is detail the quantiser zeroed, which no Gaussian denoiser
/// puts back: gray LIVE1 gains about 1.1 dB at quality 10 and 1.0 dB at 30,
/// short of artefact-trained networks (ARCNN: 1.2–1.3 dB).
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

    /// FFDNet's noise level in units of the classic deblocker's σ for the
    /// same table (`LumaDeblocking.sigma`, 1.15 q̄^0.65 from the low-frequency
    /// steps): the best of 0.5, 0.7, 0.9 and 1.1 at quality 10, 20 and 30 on
    /// six gray LIVE1 images (0.7 loses up to 0.05 dB, 1.1 up to 0.06 dB).
    static let sigmaFactor: Float = 0.9
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

    /// FFDNet's noise level (in [0, 1] units) for luma steps `steps`, within
    /// the range the network was trained for.
    static func sigma(steps: [UInt16]) -> Float {
        min(sigmaFactor * LumaDeblocking(steps: steps).sigma / 255, Float(FFDNetRestorer.maximumSigma))
    }

    /// Restores `tile`, whose top-left pixel must lie on the block grid
    /// (`origin` a multiple of `alignment`); throws otherwise.
    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        try context.checkCancelled()
        return try planewise.restore(tile: tile, origin: origin, context: context) { try restoreLuma($0, context: $1) }
    }

    /// The luma (or gray) plane on the 0–255 scale, denoised and projected.
    private func restoreLuma(_ observed: JPEGPlane, context: RestorationContext) throws -> JPEGPlane {
        let threads = context.threads
        let constraint = QuantizationConstraint(observed: observed, steps: tables.luma, threads: threads)
        let denoised = try network.denoise(observed.samples.map { $0 / 255 }, width: observed.width,
                                           height: observed.height, sigma: Self.sigma(steps: tables.luma),
                                           threads: threads) { try context.report($0) }
        var estimate = JPEGPlane(width: observed.width, height: observed.height, samples: denoised.map { $0 * 255 })
        constraint.project(&estimate, threads: threads)
        return estimate
    }
}
