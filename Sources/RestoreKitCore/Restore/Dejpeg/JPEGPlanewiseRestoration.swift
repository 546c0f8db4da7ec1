/// JPEG deblocking plane by plane, as the file stored the image, shared by the
/// classic and the learned deblockers, which differ only in how they restore
/// the luma (or gray) plane.
///
/// The image is taken apart as JPEG does (JFIF YCbCr, chroma at the stored
/// resolution), the luma is restored by the deblocker's own method, and the
/// chroma planes are guided by the restored luma and projected at the stored
/// resolution (`GuidedChromaRestoration`), then upsampled as libjpeg does.
struct JPEGPlanewiseRestoration {
    /// The quantisation tables in force.
    let tables: JPEGTables
    /// The IJG quality stated in the prompt, whose chroma table stands in when
    /// the file had none.
    let quality: Int
    /// How the file stored its chroma planes; colour images only.
    let chroma: ChromaSubsampling
    /// The restorer's name, for error messages.
    let name: String

    /// The restoration for quality `quality` (clamped to 1–100) with the
    /// file's `tables` when known, else the IJG tables of `quality`.
    init(quality: Int, tables: JPEGTables?, chroma: ChromaSubsampling, name: String) {
        self.quality = min(100, max(1, quality))
        self.tables = tables ?? .ijg(quality: self.quality)
        self.chroma = chroma
        self.name = name
    }

    /// Pixels of context a tile needs, given how far (in pixels) the luma
    /// restoration reaches: the chroma's reach (in stored samples, converted to
    /// pixels, plus one sample for upsampling and one for the luma guide's
    /// averaging) comes on top of it.
    func halo(lumaReach: Int) -> Int {
        let factor = chroma == .none ? 1 : 2
        return lumaReach + factor * (GuidedChromaRestoration.reach + 2)
    }

    /// One block (8 pixels), or a subsampled chroma block (16) unless chroma
    /// is stored at full resolution: the constraint holds on the file's grid.
    var alignment: Int { chroma == .none ? 8 : 16 }

    /// Restores `tile`, whose top-left pixel must lie on the block grid
    /// (`origin` a multiple of `alignment`), with `luma` restoring the luma or
    /// gray plane (0–255 scale) under the luma table; throws otherwise, or
    /// when the tables are malformed.
    func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext,
                 luma: (JPEGPlane, RestorationContext) throws -> JPEGPlane) throws -> Image {
        try checkTables()
        guard origin.x % alignment == 0, origin.y % alignment == 0 else {
            throw RestoreError(.invalidArgument,
                "\(name) needs tiles on the file's \(alignment)-pixel block grid; "
                    + "this one starts at \(origin.x), \(origin.y)")
        }
        let (w, h) = (tile.width, tile.height)
        if tile.layout.colorChannelCount == 1 {
            let observed = JPEGPlane(width: w, height: h, samples: tile.samples.prefix(tile.planeCount).map { $0 * 255 })
            let restored = try luma(observed, context)
            return try Image(width: w, height: h, layout: .gray, encoding: tile.encoding,
                             samples: restored.samples.map(JFIFColor.unit))
        }
        let planes = JFIFColor.planes(of: tile)
        let y = try luma(planes.y, context.scoped(0, 0.8))
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
