import AVX2Kernels
import Testing
@testable import RestoreKitCore

@Suite(.enabled(if: CPUFeatures.hasAVX2FMA, "PanelGEMM needs AVX2 and FMA"))
struct PanelGEMMTests {
    /// B (depth × columns, row-major) in panels of 16 columns, zero past the last.
    static func panels(_ b: [Float], depth: Int, columns: Int) -> [Float] {
        let width = PanelGEMM.width, count = (columns + width - 1) / width
        var packed = [Float](repeating: 0, count: count * depth * width)
        for k in 0 ..< depth {
            for j in 0 ..< columns { packed[(j / width) * depth * width + k * width + j % width] = b[k * columns + j] }
        }
        return packed
    }

    // Full tiles, edge rows and columns, several depth blocks (> 256) and row blocks (> 72).
    @Test(arguments: [(rows: 6, columns: 16, depth: 8), (rows: 77, columns: 40, depth: 40),
                      (rows: 5, columns: 7, depth: 600), (rows: 150, columns: 33, depth: 257),
                      (rows: 1, columns: 1, depth: 1), (rows: 13, columns: 64, depth: 1024)])
    func productsEqualTheDefinition(_ s: (rows: Int, columns: Int, depth: Int)) {
        let lda = s.depth + 3, ldc = s.columns + 5
        let a = NNTest.values(s.rows * lda, seed: 1), b = NNTest.values(s.depth * s.columns, seed: 2)
        let start = NNTest.values(s.rows * ldc, seed: 3)
        let packed = Self.panels(b, depth: s.depth, columns: s.columns)
        for accumulate in [false, true] {
            var c = start
            a.withUnsafeBufferPointer { a in
                packed.withUnsafeBufferPointer { p in
                    c.withUnsafeMutableBufferPointer { c in
                        PanelGEMM.multiply(rows: s.rows, columns: s.columns, depth: s.depth, a: a.baseAddress!, lda: lda,
                                           b: p.baseAddress!, panelStride: s.depth * PanelGEMM.width,
                                           c: c.baseAddress!, ldc: ldc, alpha: 0.75, accumulate: accumulate)
                    }
                }
            }
            var worst = 0.0
            for r in 0 ..< s.rows {
                for j in 0 ..< ldc {
                    var expected = Double(start[r * ldc + j])
                    if j < s.columns {
                        let dot = (0 ..< s.depth).reduce(0.0) { $0 + Double(a[r * lda + $1]) * Double(b[$1 * s.columns + j]) }
                        expected = 0.75 * dot + (accumulate ? expected : 0)
                    }
                    // Columns past `columns` (the row stride's padding) stay untouched.
                    worst = max(worst, abs(Double(c[r * ldc + j]) - expected))
                }
            }
            #expect(worst < 1e-5 * Double(s.depth).squareRoot(), "\(s), accumulate \(accumulate): \(worst)")
        }
    }
}
