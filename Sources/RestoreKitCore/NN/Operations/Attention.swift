#if canImport(Glibc)
import Glibc
#endif
import AVX2Kernels
import VectorMath

/// Multi-head scaled dot-product attention, softmax(Q Kᵀ · scale) V per head,
/// computed a block of queries × a block of keys at a time so that memory stays
/// bounded: only a block × block score matrix per worker exists, never the whole
/// queries × keys matrix of a head (4096 × 4096 for a 64 × 64 latent). Across
/// key blocks the softmax is accumulated online: each row keeps its running
/// maximum and sum, and its partial output is rescaled when the maximum grows.
///
/// Rows are tokens (pixels); a row of Q, K and V holds every head's values
/// side by side (head h at columns h·d ..< (h+1)·d), as the projections write
/// them. The output has the same layout.
///
/// Where the CPU has AVX2 and FMA (`panels`), both products run on `PanelGEMM`,
/// each head's keys and values packed into panels once where sgemm would pack a
/// block of them for every block of queries, and the softmax on AVX2 too.
enum Attention {
    /// Queries per block: sgemm packs its key or value block again for each, so
    /// long query blocks pack them less often.
    static let queryBlock = 256
    /// Keys per block: a block's scores (queryBlock × keyBlock, 1 MiB) stay in cache.
    static let keyBlock = 1024

    /// Writes softmax(Q Kᵀ · scale) V for `heads` heads of `headSize` values into
    /// `out` (`queries` rows, stride `outStride`). Q has `queries` rows, K and V
    /// `keys` rows, each with its own row stride. With `causal`, query i sees keys
    /// 0...i only (CLIP's text transformer).
    static func run(q: UnsafePointer<Float>, qStride: Int, k: UnsafePointer<Float>, kStride: Int,
                    v: UnsafePointer<Float>, vStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int,
                    queries: Int, keys: Int, heads: Int, headSize: Int, scale: Float, causal: Bool,
                    threads: Int, panels: Bool = CPUFeatures.hasAVX2FMA) throws {
        let operands = try AttentionOperands(k: k, kStride: kStride, v: v, vStride: vStride, keys: keys, heads: heads,
                                    headSize: headSize, panels: panels, threads: threads)
        let blocksPerHead = (queries + queryBlock - 1) / queryBlock
        let workers = max(1, min(threads, heads * blocksPerHead))
        let scoresPerWorker = min(queries, queryBlock) * min(keys, keyBlock)
        // Per worker: the scores, then each row's running maximum and sum.
        let perWorker = scoresPerWorker + 2 * queryBlock
        guard let scratch = allocateFloats(workers * perWorker) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(workers * perWorker / 262_144) MiB of attention scores")
        }
        defer { free(scratch) }
        WorkSplit.forEachBlock(heads * blocksPerHead, threads: workers) { block, worker in
            let head = block / blocksPerHead, q0 = block % blocksPerHead * queryBlock
            let rows = min(queryBlock, queries - q0), column = head * headSize
            let scores = scratch + worker * perWorker, largest = scores + scoresPerWorker, sums = largest + queryBlock
            let o = out + q0 * outStride + column
            func scaleOutput(row r: Int, by factor: Float) {
                for j in 0 ..< headSize { o[r * outStride + j] *= factor }
            }
            largest.initialize(repeating: -.infinity, count: rows)
            sums.initialize(repeating: 0, count: rows)
            let seen = causal ? min(keys, q0 + rows) : keys
            for k0 in stride(from: 0, to: seen, by: keyBlock) {
                let columns = min(keyBlock, seen - k0)
                operands.scores(of: q + q0 * qStride + column, qStride: qStride, rows: rows, head: head,
                                keys: k0 ..< k0 + columns, alpha: scale * log2e, into: scores)
                for r in 0 ..< rows {
                    let row = scores + r * columns
                    let visible = causal ? max(0, min(columns, q0 + r + 1 - k0)) : columns
                    if visible < columns { (row + visible).initialize(repeating: 0, count: columns - visible) }
                    guard visible > 0 else { continue }
                    let top = max(largest[r], panels ? SoftmaxRowAVX2.maximum(row, count: visible)
                                                             : SoftmaxRow.maximum(row, count: visible))
                    let sum = panels ? SoftmaxRowAVX2.exponentiate(row, count: visible, minus: top)
                                     : SoftmaxRow.exponentiate(row, count: visible, minus: top)
                    if k0 > 0 {
                        // The earlier blocks' sum and output, in the units of the new maximum.
                        let factor = exp2f(largest[r] - top)
                        sums[r] *= factor
                        scaleOutput(row: r, by: factor)
                    }
                    largest[r] = top
                    sums[r] += sum
                }
                operands.addValues(weightedBy: scores, rows: rows, head: head, keys: k0 ..< k0 + columns,
                                   into: o, outStride: outStride)
            }
            // The softmax's division, on the head's output rather than on every score.
            for r in 0 ..< rows {
                scaleOutput(row: r, by: 1 / sums[r])
            }
        }
    }

    /// Attention of the tokens of `q` over those of `k` and `v` (each `heads` × head
    /// size channels), with the usual scale 1/√(head size).
    static func multiHead(q: Tensor, k: Tensor, v: Tensor, heads: Int, causal: Bool = false,
                          threads: Int, panels: Bool = CPUFeatures.hasAVX2FMA) throws -> Tensor {
        guard heads > 0, q.channels % heads == 0, k.channels == q.channels, v.channels == q.channels,
              k.height * k.width == v.height * v.width else {
            throw RestoreError(.model, "attention of \(heads) heads cannot take queries \(q.shapeDescription), keys \(k.shapeDescription) and values \(v.shapeDescription)")
        }
        let out = try Tensor(height: q.height, width: q.width, channels: q.channels)
        let headSize = q.channels / heads
        try run(q: q.pointer, qStride: q.channels, k: k.pointer, kStride: k.channels, v: v.pointer, vStride: v.channels,
                out: out.pointer, outStride: out.channels, queries: q.height * q.width, keys: k.height * k.width,
                heads: heads, headSize: headSize, scale: 1 / Float(headSize).squareRoot(), causal: causal,
                threads: threads, panels: panels)
        return out
    }

    /// Scores are made in base 2: softmax(s) = 2^(s·log₂e − max) / Σ.
    private static let log2e: Float = 1.44269504088896341
}
