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
    /// The IJG quality stated in the prompt (1–100).
    public let quality: Int
    /// The quantisation tables in force: the file's own, or the IJG tables of `quality`.
    public let tables: JPEGTables
    /// How the file stored its chroma planes; colour images only.
    public let chroma: ChromaSubsampling

    /// A deblocker for quality `quality` (clamped to 1–100) with the file's
    /// `tables` when known (else the IJG tables of `quality`), for colour
    /// files that stored chroma as `chroma`: 4:2:0 by default, what libjpeg,
    /// Pillow, OpenCV and cameras write.
    public init(quality: Int, tables: JPEGTables?, chroma: ChromaSubsampling = .both) {
        self.quality = min(100, max(1, quality))
        self.tables = tables ?? .ijg(quality: self.quality)
        self.chroma = chroma
    }

    /// "JPEG deblocking".
    public var name: String { "JPEG deblocking" }

    /// Pixels of context a tile needs: the luma's reach plus the chroma's (in
    /// stored samples, converted to pixels, plus one sample for upsampling and
    /// one for the luma guide's averaging): 86 for subsampled chroma, 57 for
    /// full-resolution chroma (gray needs only the luma's 28).
    public var halo: Int {
        let factor = chroma == .none ? 1 : 2
        return LumaDeblocking.reach + factor * (GuidedChromaRestoration.reach + 2)
    }

    /// One block (8 pixels), or a subsampled chroma block (16) unless chroma
    /// is stored at full resolution: the constraint holds on the file's grid.
    public var alignment: Int { chroma == .none ? 8 : 16 }

    /// Restores `tile`, whose top-left pixel must lie on the block grid
    /// (`origin` a multiple of `alignment`); throws otherwise.
    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        try checkTables()
        guard origin.x % alignment == 0, origin.y % alignment == 0 else {
            throw RestoreError(.invalidArgument,
                "JPEG deblocking needs tiles on the file's \(alignment)-pixel block grid; "
                    + "this one starts at \(origin.x), \(origin.y)")
        }
        let (w, h) = (tile.width, tile.height)
        let luma = LumaDeblocking(steps: tables.luma)
        if tile.layout.colorChannelCount == 1 {
            let observed = JPEGPlane(width: w, height: h, samples: tile.samples.prefix(tile.planeCount).map { $0 * 255 })
            let restored = try luma.apply(to: observed, context: context)
            return try Image(width: w, height: h, layout: .gray, encoding: tile.encoding,
                             samples: restored.samples.map(JFIFColor.unit))
        }
        let planes = JFIFColor.planes(of: tile)
        let y = try luma.apply(to: planes.y, context: context.scoped(0, 0.8))
        let resampling = ChromaResampling(chroma)
        let guide = resampling.averaged(y)
        let restoration = GuidedChromaRestoration(steps: tables.chroma ?? JPEGTables.ijg(quality: quality).chroma!)
        var restored: [JPEGPlane] = []
        for (index, plane) in [planes.cb, planes.cr].enumerated() {
            let stored = try restoration.apply(to: resampling.stored(from: plane), guide: guide,
                                               context: context.scoped(0.8 + 0.1 * Double(index), 0.9 + 0.1 * Double(index)))
            restored.append(resampling.upsampled(stored, width: w, height: h))
        }
        return try Image(width: w, height: h, layout: .rgb, encoding: tile.encoding,
                         samples: JFIFColor.rgbSamples(y: y, cb: restored[0], cr: restored[1]))
    }

    /// Tables must hold 64 steps of at least 1.
    private func checkTables() throws {
        for table in [tables.luma, tables.chroma ?? tables.luma] where table.count != 64 || table.contains(0) {
            throw RestoreError(.invalidArgument,
                "a JPEG quantisation table needs 64 steps of at least 1; this one has \(table.count)"
                    + (table.contains(0) ? " and a zero step" : ""))
        }
    }
}
