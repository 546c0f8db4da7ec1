#if canImport(Glibc)
import Glibc
#endif
import AVX2Kernels

/// Attention's keys and values as its two products read them: in place for sgemm, or
/// packed per head into `PanelGEMM`'s panels (keys: panels of 16 keys ×
/// head size; values: panels of 16 of the head's columns × every key).
final class AttentionOperands {
    private let k, v: UnsafePointer<Float>
    private let kStride, vStride, keys, headSize: Int
    /// Per head: the key panels, then the value panels; nil for sgemm.
    private let packed: UnsafeMutablePointer<Float>?
    private let keyPanelsSize, valuePanelsSize: Int

    init(k: UnsafePointer<Float>, kStride: Int, v: UnsafePointer<Float>, vStride: Int, keys: Int, heads: Int,
         headSize: Int, panels: Bool, threads: Int) throws {
        (self.k, self.kStride, self.v, self.vStride, self.keys, self.headSize) = (k, kStride, v, vStride, keys, headSize)
        let width = PanelGEMM.width
        keyPanelsSize = (keys + width - 1) / width * width * headSize
        valuePanelsSize = (headSize + width - 1) / width * width * keys
        guard panels else {
            packed = nil
            return
        }
        let perHead = keyPanelsSize + valuePanelsSize
        guard let packed = allocateFloats(heads * perHead) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(heads * perHead / 262_144) MiB for attention's keys and values")
        }
        self.packed = packed
        WorkSplit.forEachBlock(heads, threads: threads) { head, _ in
            let keyPanels = packed + head * perHead, valuePanels = keyPanels + keyPanelsSize
            keyPanels.initialize(repeating: 0, count: perHead)
            for j in 0 ..< keys {
                let key = k + j * kStride + head * headSize
                let panel = keyPanels + (j / width) * width * headSize + j % width
                for d in 0 ..< headSize { panel[d * width] = key[d] }
                let value = v + j * vStride + head * headSize
                for d in 0 ..< headSize { valuePanels[(d / width) * width * keys + j * width + d % width] = value[d] }
            }
        }
    }

    deinit { free(packed) }

    /// scores (rows × keys.count) = alpha · Q · Kᵀ over `keys` (which start on a panel).
    func scores(of q: UnsafePointer<Float>, qStride: Int, rows: Int, head: Int, keys: Range<Int>, alpha: Float,
                into scores: UnsafeMutablePointer<Float>) {
        if let packed {
            let width = PanelGEMM.width
            PanelGEMM.multiply(rows: rows, columns: keys.count, depth: headSize, a: q, lda: qStride,
                               b: packed + head * (keyPanelsSize + valuePanelsSize) + keys.lowerBound * headSize,
                               panelStride: width * headSize, c: scores, ldc: keys.count, alpha: alpha)
        } else {
            BLAS.sgemm(m: rows, n: keys.count, k: headSize, a: q, lda: qStride,
                       b: k + keys.lowerBound * kStride + head * headSize, ldb: kStride, transposeB: true,
                       c: scores, ldc: keys.count, alpha: alpha)
        }
    }

    /// out (rows × head size) = weights · V over `keys`, added to it unless
    /// `keys` are the first.
    func addValues(weightedBy weights: UnsafePointer<Float>, rows: Int, head: Int, keys: Range<Int>,
                   into out: UnsafeMutablePointer<Float>, outStride: Int) {
        if let packed {
            let valuePanels = packed + head * (keyPanelsSize + valuePanelsSize) + keyPanelsSize
            PanelGEMM.multiply(rows: rows, columns: headSize, depth: keys.count, a: weights, lda: keys.count,
                               b: valuePanels + keys.lowerBound * PanelGEMM.width,
                               panelStride: PanelGEMM.width * self.keys, c: out, ldc: outStride,
                               accumulate: keys.lowerBound > 0)
        } else {
            BLAS.sgemm(m: rows, n: headSize, k: keys.count, a: weights, lda: keys.count,
                       b: v + keys.lowerBound * vStride + head * headSize, ldb: vStride, c: out, ldc: outStride,
                       accumulate: keys.lowerBound > 0)
        }
    }
}
