#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore

@Suite struct AttentionTests {
    /// softmax(Q Kᵀ / √d) V per head in double precision.
    static func reference(q: Tensor, k: Tensor, v: Tensor, heads: Int, causal: Bool) -> [Double] {
        let queries = q.height * q.width, keys = k.height * k.width, d = q.channels / heads
        var out = [Double](repeating: 0, count: queries * q.channels)
        for h in 0 ..< heads {
            for i in 0 ..< queries {
                let seen = causal ? i + 1 : keys
                var scores = (0 ..< seen).map { j in
                    (0 ..< d).reduce(0.0) { $0 + Double(q.pointer[i * q.channels + h * d + $1]) * Double(k.pointer[j * k.channels + h * d + $1]) }
                        / Double(d).squareRoot()
                }
                let top = scores.max()!
                scores = scores.map { Glibc.exp($0 - top) }
                let sum = scores.reduce(0, +)
                for c in 0 ..< d {
                    out[i * q.channels + h * d + c] = (0 ..< seen).reduce(0.0) { $0 + scores[$1] * Double(v.pointer[$1 * v.channels + h * d + c]) } / sum
                }
            }
        }
        return out
    }

    /// The kernels this CPU runs: sgemm always, PanelGEMM where it has AVX2 and FMA.
    static let kernels = CPUFeatures.hasAVX2FMA ? [false, true] : [false]

    @Test(arguments: [(queries: 300, keys: 2100, causal: false, headSize: 8), (queries: 1300, keys: 1300, causal: true, headSize: 8),
                      (queries: 77, keys: 77, causal: true, headSize: 8), (queries: 40, keys: 9, causal: false, headSize: 8),
                      (queries: 270, keys: 1100, causal: false, headSize: 40), (queries: 77, keys: 77, causal: true, headSize: 64)])
    func blocksOfQueriesAndKeysEqualTheWholeSoftmax(_ c: (queries: Int, keys: Int, causal: Bool, headSize: Int)) throws {
        // Several query and key blocks; scores spread widely (scaled inputs) so that later key
        // blocks raise rows' maxima and the running sums must be rescaled.
        let heads = 2, channels = heads * c.headSize
        let q = try NNTest.tensor(channels, 1, c.queries, seed: 1), k = try NNTest.tensor(channels, 1, c.keys, seed: 2)
        let v = try NNTest.tensor(channels, 1, c.keys, seed: 3)
        for i in 0 ..< q.count { q.pointer[i] *= 6 / Float(c.headSize / 8).squareRoot() }
        let expected = Self.reference(q: q, k: k, v: v, heads: heads, causal: c.causal)
        for panels in Self.kernels {
            for threads in [1, 3] {
                let got = try Attention.multiHead(q: q, k: k, v: v, heads: heads, causal: c.causal, threads: threads,
                                                  panels: panels)
                let difference = (0 ..< got.count).map { abs(Double(got.pointer[$0]) - expected[$0]) }.max()!
                #expect(difference < 1e-5, "\(c), panels \(panels), \(threads) threads: \(difference)")
            }
        }
    }
}
