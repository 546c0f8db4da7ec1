import Testing
@testable import RestoreKitCore

@Suite struct Bior15Tests {
    /// Lane 0 of the transform of the unit sample n: column n of the analysis matrix.
    func column(_ n: Int, inverse: Bool = false) -> [Float] {
        var unit = [SIMD4<Float>](repeating: .zero, count: 8)
        unit[n][0] = 1
        var b: Block4 = (unit[0], unit[1], unit[2], unit[3], unit[4], unit[5], unit[6], unit[7])
        if inverse { Bior15.inverse(&b) } else { Bior15.forward(&b) }
        return [b.0[0], b.1[0], b.2[0], b.3[0], b.4[0], b.5[0], b.6[0], b.7[0]]
    }

    @Test func analysisRowsHaveUnitNormAndMatchTheWavelet() {
        let matrix = (0 ..< 8).map { column($0) }   // matrix[n][k]: coefficient k of sample n
        for k in 0 ..< 8 {
            let norm = (0 ..< 8).map { matrix[$0][k] * matrix[$0][k] }.reduce(0, +)
            #expect(abs(norm - 1) < 1e-6)
        }
        // Row 1 from PyWavelets' bior1.5 with periodization, 3 levels, normalised.
        let row1: [Float] = [0.21941765, 0.44928376, 0.44928376, 0.21941765,
                             -0.21941765, -0.44928376, -0.44928376, -0.21941765]
        for n in 0 ..< 8 { #expect(abs(matrix[n][1] - row1[n]) < 1e-6) }
        let row2: [Float] = [0.5693594, 0.40234731, -0.40234731, -0.5693594,
                             -0.08350605, 0.08350605, -0.08350605, 0.08350605]
        for n in 0 ..< 8 { #expect(abs(matrix[n][2] - row2[n]) < 1e-6) }
    }

    @Test func inverseUndoesForward() {
        var rows = [SIMD4<Float>](repeating: .zero, count: 8)
        for n in 0 ..< 8 {
            for j in 0 ..< 4 { rows[n][j] = Float((n * 13 + j * 7) % 11) / 5 - 1 }
        }
        var b: Block4 = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
        Bior15.forward(&b)
        Bior15.inverse(&b)
        let out = [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7]
        for n in 0 ..< 8 {
            for j in 0 ..< 4 { #expect(abs(out[n][j] - rows[n][j]) < 1e-5) }
        }
    }

    @Test func inverseColumnsUseTheSynthesisMatrix() {
        let window = [Float](repeating: 1, count: 8)
        let columns = PatchTransform.bior15.inverseColumns(window: window)
        for k in 0 ..< 8 {
            let synthesis = column(k, inverse: true)
            for n in 0 ..< 8 { #expect(abs(columns[k][n] - synthesis[n]) < 1e-7) }
        }
    }
}
