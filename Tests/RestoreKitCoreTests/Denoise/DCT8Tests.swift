import Testing
@testable import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DCT8Tests {
    /// Eight rows of test data, lane j of row n = a smooth-ish function of (n, j).
    let input: Block4 = {
        var rows = [SIMD4<Float>](repeating: .zero, count: 8)
        for n in 0 ..< 8 {
            for j in 0 ..< 4 { rows[n][j] = Float(sin(Double(3 * n + 7 * j) * 0.37) + Double(n * j) * 0.05) }
        }
        return (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
    }()

    func rows(_ b: Block4) -> [SIMD4<Float>] { [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7] }

    @Test func forwardMatchesTheOrthonormalDefinition() {
        var b = input
        DCT8.forward(&b)
        let x = rows(input), out = rows(b)
        for k in 0 ..< 8 {
            for j in 0 ..< 4 {
                var sum = 0.0
                for n in 0 ..< 8 {
                    sum += Double(x[n][j]) * cos(Double((2 * n + 1) * k) * Double.pi / 16)
                }
                let expected = sum * (k == 0 ? (1.0 / 8).squareRoot() : 0.5)
                #expect(abs(Double(out[k][j]) - expected) < 1e-5)
            }
        }
    }

    @Test func inverseUndoesForwardAndKeepsEnergy() {
        var b = input
        DCT8.forward(&b)
        let energyIn = rows(input).map { ($0 * $0).sum() }.reduce(0, +)
        let energyOut = rows(b).map { ($0 * $0).sum() }.reduce(0, +)
        #expect(abs(energyIn - energyOut) < 1e-4 * energyIn)
        DCT8.inverse(&b)
        for (a, r) in zip(rows(input), rows(b)) {
            for j in 0 ..< 4 { #expect(abs(a[j] - r[j]) < 1e-5) }
        }
    }

    @Test func patchFunctionsTransformBothHalves() {
        // An 8 × 8 patch of row spectra, rows `stride` = 11 floats apart.
        var rowsIn = [Float](repeating: 0, count: 11 * 8)
        for v in 0 ..< 8 {
            for k in 0 ..< 8 { rowsIn[v * 11 + k] = Float((v * 5 + k * 3) % 7) - 3 }
        }
        var spectrum = [Float](repeating: 0, count: 64)
        rowsIn.withUnsafeBufferPointer { p in
            spectrum.withUnsafeMutableBufferPointer {
                PatchTransform.dct.forward(rows: p.baseAddress!, stride: 11, into: $0.baseAddress!)
            }
        }
        // Column k of the spectrum is the DCT of column k of the input.
        for k in 0 ..< 8 {
            for f in 0 ..< 8 {
                var sum = 0.0
                for v in 0 ..< 8 { sum += Double(rowsIn[v * 11 + k]) * cos(Double((2 * v + 1) * f) * Double.pi / 16) }
                #expect(abs(Double(spectrum[f * 8 + k]) - sum * (f == 0 ? (1.0 / 8).squareRoot() : 0.5)) < 1e-4)
            }
        }
        // The inverse returns the rows, times the factors, added to what was there.
        var sums = [Float](repeating: 1, count: 11 * 8)
        let factors: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        spectrum.withUnsafeBufferPointer { s in
            factors.withUnsafeBufferPointer { f in
                sums.withUnsafeMutableBufferPointer {
                    PatchTransform.dct.inverseAccumulate(s.baseAddress!, factors: f.baseAddress!, into: $0.baseAddress!,
                                                         stride: 11)
                }
            }
        }
        for v in 0 ..< 8 {
            for k in 0 ..< 8 { #expect(abs(sums[v * 11 + k] - (1 + factors[v] * rowsIn[v * 11 + k])) < 1e-4) }
        }
    }

    @Test func inverseColumnsApplyTheWindow() {
        let window: [Float] = [0.5, 0.6, 0.7, 0.8, 0.8, 0.7, 0.6, 0.5]
        let columns = PatchTransform.dct.inverseColumns(window: window)
        // Frequency 0 alone is a flat patch of 1/√8 times the window.
        for n in 0 ..< 8 { #expect(abs(columns[0][n] - window[n] / Float(8.0.squareRoot())) < 1e-6) }
        // The columns are the inverse transform: the spectrum of a row returns it, windowed.
        var b = input
        DCT8.forward(&b)
        let spectrum = rows(b).map { $0[3] }   // lane 3 of every row: one 8-point transform
        var pixels = SIMD8<Float>.zero
        for k in 0 ..< 8 { pixels += columns[k] * spectrum[k] }
        for n in 0 ..< 8 { #expect(abs(pixels[n] - rows(input)[n][3] * window[n]) < 1e-5) }
    }

    @Test(arguments: [8, 9, 10, 11, 12, 13, 20])
    func rowSpectraHoldTheDCTOfEveryRun(width: Int) {
        let plane = (0 ..< width * 3).map { Float(($0 * 7919) % 97) / 97 }
        let positions = width - 7
        var out = [Float](repeating: .nan, count: 2 * positions * 8)
        plane.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer {
                RowSpectra.compute(plane: p.baseAddress!, width: width, rows: 1 ..< 3, transform: .dct,
                                   into: $0.baseAddress!)
            }
        }
        for row in 0 ..< 2 {
            for x in 0 ..< positions {
                for k in 0 ..< 8 {
                    var sum = 0.0
                    for n in 0 ..< 8 {
                        sum += Double(plane[(row + 1) * width + x + n]) * cos(Double((2 * n + 1) * k) * Double.pi / 16)
                    }
                    let expected = sum * (k == 0 ? (1.0 / 8).squareRoot() : 0.5)
                    #expect(abs(Double(out[(row * positions + x) * 8 + k]) - expected) < 1e-5)
                }
            }
        }
    }
}
