extension JPEGTables {
    /// The tables libjpeg writes for IJG `quality` (clamped to 1–100): the
    /// example tables of the JPEG standard (Annex K) scaled by
    /// `5000 / quality` percent below 50 and `200 − 2 quality` percent from 50
    /// up, rounded, and clamped to 1–255 as baseline files require
    /// (`jpeg_set_quality(…, force_baseline: TRUE)`, what cjpeg, Pillow and
    /// OpenCV use).
    public static func ijg(quality: Int) -> JPEGTables {
        let q = min(100, max(1, quality))
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        func scaled(_ base: [UInt16]) -> [UInt16] {
            base.map { UInt16(min(255, max(1, (Int($0) * scale + 50) / 100))) }
        }
        return JPEGTables(luma: scaled(ijgLuma), chroma: scaled(ijgChroma))
    }

    /// Annex K.1, luminance, natural (row-major) order.
    private static let ijgLuma: [UInt16] = [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ]

    /// Annex K.2, chrominance, natural order.
    private static let ijgChroma: [UInt16] = [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ]
}
