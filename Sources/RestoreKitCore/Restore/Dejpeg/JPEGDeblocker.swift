/// Removes JPEG artefacts (blocking, ringing, smeared colour) from an image
/// compressed at IJG quality Q, "Dejpeg with quality Q", without leaving what
/// the file stored: re-compressed with Q's tables on the same 8×8 grid, the
/// result quantises to the same DCT coefficients (exactly on luma and gray;
/// on subsampled chroma up to the decoder's rounding, see `ChromaResampling`).
///
/// The image is taken apart as JPEG does (JFIF YCbCr, chroma at the stored
/// resolution, 4:2:0 unless stated), and each plane is restored within its
/// quantisation constraint:
/// - luma (or gray): translation-invariant DCT shrinkage in two steps with
///   projections, see `LumaDeblocking`;
/// - chroma: guided by the restored luma and projected, at the stored
///   resolution, see `GuidedChromaRestoration`; then upsampled as libjpeg does.
///
/// The result depends on the input within `halo` pixels only, bit for bit, as
/// long as tiles start on the block grid (`alignment`), so tiled and whole-
/// image runs agree exactly away from tile edges. Deterministic for any
/// thread count.
public struct JPEGDeblocker: LocalRestorer {
    private let planewise: JPEGPlanewiseRestoration

    /// The IJG quality stated in the prompt (1–100).
    public var quality: Int { planewise.quality }
    /// The quantisation tables in force: the file's own, or the IJG tables of `quality`.
    public var tables: JPEGTables { planewise.tables }
    /// How the file stored its chroma planes; colour images only.
    public var chroma: ChromaSubsampling { planewise.chroma }

    /// A deblocker for quality `quality` (clamped to 1–100) with the file's
    /// `tables` when known (else the IJG tables of `quality`), for colour
    /// files that stored chroma as `chroma`: 4:2:0 by default, what libjpeg,
    /// Pillow, OpenCV and cameras write.
    public init(quality: Int, tables: JPEGTables?, chroma: ChromaSubsampling = .both) {
        planewise = JPEGPlanewiseRestoration(quality: quality, tables: tables, chroma: chroma, name: "JPEG deblocking")
    }

    /// "JPEG deblocking".
    public var name: String { planewise.name }

    /// Pixels of context a tile needs: the luma's reach plus the chroma's
    /// (see `JPEGPlanewiseRestoration.halo`): 86 for subsampled chroma, 57 for
    /// full-resolution chroma (gray needs only the luma's 28).
    public var halo: Int { planewise.halo(lumaReach: LumaDeblocking.reach) }

    /// One block (8 pixels), or a subsampled chroma block (16) unless chroma
    /// is stored at full resolution: the constraint holds on the file's grid.
    public var alignment: Int { planewise.alignment }

    /// Restores `tile`, whose top-left pixel must lie on the block grid
    /// (`origin` a multiple of `alignment`); throws otherwise.
    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        let luma = LumaDeblocking(steps: tables.luma)
        return try planewise.restore(tile: tile, origin: origin, context: context) { try luma.apply(to: $0, context: $1) }
    }
}
