/// An image read from a file, with what the file said about itself.
public struct DecodedImage: Sendable {
    /// The pixels.
    public var image: Image
    /// The file's format.
    public var format: ImageFormat
    /// Bits per sample as stored (PNG 1–16; JPEG 8).
    public var bitDepth: Int
    /// How the file stored its pixels, e.g. "palette, interlaced" or "baseline, 4:2:0".
    public var storage: String
    /// The embedded ICC colour profile, kept so writers can carry it over.
    public var iccProfile: [UInt8]?
    /// Quantisation tables and sampling of a JPEG file.
    public var jpeg: JPEGInfo?
    /// Recoverable problems the decoder reported (e.g. a truncated JPEG, grey-filled).
    public var warnings: [String]
}

/// The coding parameters of a JPEG file that analysis and deblocking need.
public struct JPEGInfo: Sendable, Equatable {
    /// The four quantisation table slots; each present table holds 64 steps in
    /// natural (row-major) order.
    public var tables: [[UInt16]?]
    /// For each component (Y, Cb, Cr or gray), the slot of its table.
    public var componentTables: [Int]
    /// For each component, its horizontal and vertical sampling factors.
    public var samplingFactors: [(horizontal: Int, vertical: Int)]
    /// Whether the file is progressive.
    public var progressive: Bool

    /// The quantisation table of component `index`.
    public func table(forComponent index: Int) -> [UInt16]? {
        guard componentTables.indices.contains(index) else { return nil }
        let slot = componentTables[index]
        return tables.indices.contains(slot) ? tables[slot] : nil
    }

    /// "4:4:4", "4:2:2", "4:2:0" or "4:4:0" for three-component files; nil otherwise.
    public var chromaSubsampling: String? {
        guard samplingFactors.count == 3,
              samplingFactors[1] == (1, 1), samplingFactors[2] == (1, 1) else { return nil }
        switch samplingFactors[0] {
        case (1, 1): return "4:4:4"
        case (2, 1): return "4:2:2"
        case (2, 2): return "4:2:0"
        case (1, 2): return "4:4:0"
        default: return nil
        }
    }

    public static func == (a: JPEGInfo, b: JPEGInfo) -> Bool {
        a.tables == b.tables && a.componentTables == b.componentTables
            && a.samplingFactors.elementsEqual(b.samplingFactors, by: ==)
            && a.progressive == b.progressive
    }
}
