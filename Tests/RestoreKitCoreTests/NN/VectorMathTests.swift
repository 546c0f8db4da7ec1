#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore
import AVX2Kernels
import VectorMath

@Suite struct VectorMathTests {
    /// Every 8 consecutive values of `xs` through `f`, lane by lane.
    static func lanes(_ xs: [Float], _ f: (VectorMath.Vector) -> VectorMath.Vector) -> [Float] {
        stride(from: 0, to: xs.count, by: 8).flatMap { i -> [Float] in
            var v = VectorMath.Vector(repeating: 0)
            for j in 0 ..< 8 where i + j < xs.count { v[j] = xs[i + j] }
            let r = f(v)
            return (0 ..< min(8, xs.count - i)).map { r[$0] }
        }
    }

    @Test func expMatchesLibm() {
        let xs = stride(from: -87.0 as Float, through: 88, by: 0.037).map { $0 }
        let got = Self.lanes(xs, VectorMath.exp)
        for (x, e) in zip(xs, got) {
            #expect(abs(e - expf(x)) <= 2 * expf(x).ulp, "exp(\(x))")
        }
        let edges = Self.lanes([-100, 100, .nan, -.infinity, .infinity], VectorMath.exp)
        #expect(edges[0] == 0 && edges[1] == .infinity && edges[2].isNaN && edges[3] == 0 && edges[4] == .infinity)
    }

    @Test func exp2OfNonPositiveValues() {
        let xs = stride(from: -126.0 as Float, through: 0, by: 0.0113).map { $0 }
        let got = Self.lanes(xs, VectorMath.exp2NonPositive)
        for (x, e) in zip(xs, got) {
            #expect(abs(e / exp2f(x) - 1) < 3e-7, "exp2(\(x))")
        }
        let edges = Self.lanes([-500, -.infinity, .nan], VectorMath.exp2NonPositive)
        #expect(edges[0] == exp2f(-126) && edges[1] == exp2f(-126) && edges[2].isNaN)
    }

    @Test func erfWithinItsStatedError() {
        let xs = stride(from: -6.0 as Float, through: 6, by: 0.001).map { $0 }
        let got = Self.lanes(xs, VectorMath.erf)
        for (x, e) in zip(xs, got) {
            #expect(abs(e - erff(x)) < 5e-7, "erf(\(x))")
        }
    }

    @Test func transformCoversTheTail() {
        var values = (0 ..< 13).map { Float($0) }
        values.withUnsafeMutableBufferPointer { VectorMath.transform($0.baseAddress!, count: 13) { $0 * 2 } }
        #expect(values == (0 ..< 13).map { Float($0 * 2) })
    }

    @Test(.enabled(if: CPUFeatures.hasAVX2FMA, "AVX2Kernels needs AVX2 and FMA"))
    func avx2BuildsComputeTheSameFunctions() {
        // The same source compiled twice: FMA contraction may change the last bits only.
        let xs = stride(from: -30.0 as Float, through: 30, by: 0.0173).map { $0 }
        let pairs: [((UnsafeMutablePointer<Float>, Int) -> Void, (VectorMath.Vector) -> VectorMath.Vector)] = [
            (ActivationAVX2.silu, VectorMath.silu), (ActivationAVX2.gelu, VectorMath.gelu),
            (ActivationAVX2.quickGELU, VectorMath.quickGELU)]
        for (avx2, baseline) in pairs {
            var got = xs
            got.withUnsafeMutableBufferPointer { avx2($0.baseAddress!, $0.count) }
            let expected = Self.lanes(xs, baseline)
            for i in xs.indices {
                #expect(abs(got[i] - expected[i]) <= 4e-7 * max(1, abs(expected[i])), "at \(xs[i])")
            }
        }
        var row = xs.map { $0 * 3 }
        let top = row.withUnsafeBufferPointer { SoftmaxRowAVX2.maximum($0.baseAddress!, count: $0.count) }
        #expect(top == row.max()!)
        var baselineRow = row
        let sum = row.withUnsafeMutableBufferPointer { SoftmaxRowAVX2.exponentiate($0.baseAddress!, count: $0.count, minus: top) }
        let baselineSum = baselineRow.withUnsafeMutableBufferPointer {
            SoftmaxRow.exponentiate($0.baseAddress!, count: $0.count, minus: top)
        }
        #expect(abs(sum / baselineSum - 1) < 1e-6)
        #expect(zip(row, baselineRow).allSatisfy { abs($0 - $1) <= 1e-6 * $1 + 1e-37 })
    }
}
