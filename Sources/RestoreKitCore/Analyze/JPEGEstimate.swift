/// Whether and how strongly an image was JPEG-compressed, as
/// `DegradationAnalyzer` determined it.
public struct JPEGEstimate: Sendable, Equatable {
    /// Where the quality came from.
    public enum Source: Sendable, Equatable {
        /// The quantisation tables stored in the JPEG file.
        case fileTables
        /// The 8×8 DCT coefficients of the pixels, which a JPEG decoder leaves
        /// on multiples of the quantisation steps.
        case pixels
    }

    /// The IJG quality (1–100) the image was compressed at: the number
    /// "Dejpeg with quality Q" states; nil when no JPEG compression was found.
    public var quality: Int?
    /// 0–1: how sure the quality (or the absence of compression) is.
    public var confidence: Double
    /// Where `quality` came from; nil with it.
    public var source: Source?
    /// True when the tables are exactly IJG's for `quality` (libjpeg, Pillow,
    /// OpenCV, GIMP); false when they came from another encoder and `quality`
    /// is the nearest IJG quality.
    public var exact: Bool
    /// Where the 8×8 block grid starts (0–7 in each direction; non-zero for
    /// crops of JPEG images); nil without compression.
    public var gridOffset: (x: Int, y: Int)?

    public static func == (a: JPEGEstimate, b: JPEGEstimate) -> Bool {
        a.quality == b.quality && a.confidence == b.confidence && a.source == b.source && a.exact == b.exact
            && a.gridOffset?.x == b.gridOffset?.x && a.gridOffset?.y == b.gridOffset?.y
    }
}
