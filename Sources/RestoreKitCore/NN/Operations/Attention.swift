#if canImport(Glibc)
import Glibc
#endif

/// Multi-head scaled dot-product attention, softmax(Q Kᵀ · scale) V per head,
/// computed a block of queries at a time so that memory stays bounded: only a
/// block × keys score matrix per worker exists, never the whole queries × keys
/// matrix of a head (4096 × 4096 for a 64 × 64 latent).
///
/// Rows are tokens (pixels); a row of Q, K and V holds every head's values
/// side by side (head h at columns h·d ..< (h+1)·d), as the projections write
/// them. The output has the same layout.
enum Attention {
    /// Queries per block: the block's scores (block × keys) stay in cache-sized memory.
    static let queryBlock = 64

    /// Writes softmax(Q Kᵀ · scale) V for `heads` heads of `headSize` values into
    /// `out` (`queries` rows, stride `outStride`). Q has `queries` rows, K and V
    /// `keys` rows, each with its own row stride. With `causal`, query i sees keys
    /// 0...i only (CLIP's text transformer).
    static func run(q: UnsafePointer<Float>, qStride: Int, k: UnsafePointer<Float>, kStride: Int,
                    v: UnsafePointer<Float>, vStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int,
                    queries: Int, keys: Int, heads: Int, headSize: Int, scale: Float, causal: Bool,
                    threads: Int) throws {
        let blocksPerHead = (queries + queryBlock - 1) / queryBlock
        let workers = max(1, min(threads, heads * blocksPerHead))
        guard let scratch = allocateFloats(workers * queryBlock * keys) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(workers * queryBlock * keys / 262_144) MiB of attention scores")
        }
        defer { free(scratch) }
        WorkSplit.forEachBlock(heads * blocksPerHead, threads: workers) { block, worker in
            let head = block / blocksPerHead, q0 = block % blocksPerHead * queryBlock
            let rows = min(queryBlock, queries - q0), column = head * headSize
            let scores = scratch + worker * queryBlock * keys
            BLAS.sgemm(m: rows, n: keys, k: headSize, a: q + q0 * qStride + column, lda: qStride,
                       b: k + column, ldb: kStride, transposeB: true, c: scores, ldc: keys, alpha: scale)
            for r in 0 ..< rows {
                let row = scores + r * keys
                let visible = causal ? min(keys, q0 + r + 1) : keys
                softmax(row, count: visible)
                if visible < keys { (row + visible).initialize(repeating: 0, count: keys - visible) }
            }
            BLAS.sgemm(m: rows, n: headSize, k: keys, a: scores, lda: keys, b: v + column, ldb: vStride,
                       c: out + q0 * outStride + column, ldc: outStride)
        }
    }

    /// Attention of the tokens of `q` over those of `k` and `v` (each `heads` × head
    /// size channels), with the usual scale 1/√(head size).
    static func multiHead(q: Tensor, k: Tensor, v: Tensor, heads: Int, causal: Bool = false,
                               threads: Int) throws -> Tensor {
        guard heads > 0, q.channels % heads == 0, k.channels == q.channels, v.channels == q.channels,
              k.height * k.width == v.height * v.width else {
            throw RestoreError(.model, "attention of \(heads) heads cannot take queries \(q.shapeDescription), keys \(k.shapeDescription) and values \(v.shapeDescription)")
        }
        let out = try Tensor(height: q.height, width: q.width, channels: q.channels)
        let headSize = q.channels / heads
        try run(q: q.pointer, qStride: q.channels, k: k.pointer, kStride: k.channels, v: v.pointer, vStride: v.channels,
                out: out.pointer, outStride: out.channels, queries: q.height * q.width, keys: k.height * k.width,
                heads: heads, headSize: headSize, scale: 1 / Float(headSize).squareRoot(), causal: causal,
                threads: threads)
        return out
    }

    /// Replaces `count` scores by their softmax.
    private static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var largest = -Float.infinity
        for j in 0 ..< count { largest = max(largest, row[j]) }
        for j in 0 ..< count { row[j] = VectorMath.exp(row[j] - largest) }
        // Four running sums: independent additions the processor can overlap.
        var sums: (Float, Float, Float, Float) = (0, 0, 0, 0)
        var j = 0
        while j + 4 <= count {
            sums.0 += row[j]
            sums.1 += row[j + 1]
            sums.2 += row[j + 2]
            sums.3 += row[j + 3]
            j += 4
        }
        while j < count {
            sums.0 += row[j]
            j += 1
        }
        let inverse = 1 / ((sums.0 + sums.1) + (sums.2 + sums.3))
        for j in 0 ..< count { row[j] *= inverse }
    }
}
