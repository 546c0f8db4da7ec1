/// The horizontal transform of every run of 8 pixels in a band of rows of one plane:
/// the first half of the separable 2-D patch transform, computed once per
/// pixel position instead of once per patch in every group that uses it.
///
/// Position `x` of row `y` (relative to the band's first row) holds the 8
/// frequencies of pixels x…x+7 at `(y · positions + x) · 8`, where
/// `positions = width − 7`; a patch's 8 row spectra are then 8 vector loads
/// `positions · 8` floats apart.
enum RowSpectra {
    /// Fills `out` with the `transform` spectra of rows `rows` of `plane`
    /// (`width` ≥ 8 wide).
    static func compute(plane: UnsafePointer<Float>, width: Int, rows: Range<Int>, transform: PatchTransform,
                        into out: UnsafeMutablePointer<Float>) {
        switch transform {
        case .bior15: compute(Bior15.self, plane: plane, width: width, rows: rows, into: out)
        case .dct: compute(DCT8.self, plane: plane, width: width, rows: rows, into: out)
        }
    }

    /// `compute` for one kernel, specialised (a switch per block would make
    /// LLVM merge both kernels into shuffle-laden code).
    private static func compute<K: TransformKernel>(_: K.Type, plane: UnsafePointer<Float>, width: Int,
                                                    rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let positions = width - 7
        for (row, y) in rows.enumerated() {
            let source = plane + y * width
            let target = out + row * positions * 8
            var x = 0
            while x < positions {
                // Four neighbouring positions per pass, one per lane; the last pass
                // of a row starts earlier so that it stays inside the row.
                let start = min(x, max(0, positions - 4))
                var block = positions >= 4 ? PatchTransform.loadBlock(source + start, stride: 1)
                                           : narrowRow(source, positions: positions)
                K.forward(&block)
                withUnsafeBytes(of: &block) { raw in
                    let k = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    for lane in 0 ..< min(4, positions) {
                        let p = target + (start + lane) * 8
                        for f in 0 ..< 8 { p[f] = k[f * 4 + lane] }
                    }
                }
                x = start + 4
            }
        }
    }

    /// The inputs of a row with fewer than 4 positions (width 8…10): lane j is
    /// position min(j, positions − 1).
    private static func narrowRow(_ source: UnsafePointer<Float>, positions: Int) -> Block4 {
        var lanes = [SIMD4<Float>](repeating: .zero, count: 8)
        for n in 0 ..< 8 {
            for j in 0 ..< 4 { lanes[n][j] = source[min(j, positions - 1) + n] }
        }
        return (lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7])
    }
}
