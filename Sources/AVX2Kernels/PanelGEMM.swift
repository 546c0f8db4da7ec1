/// Single-precision matrix products C = α · A · B whose right-hand side is packed
/// in panels of 16 columns, compiled for AVX2 and FMA (Haswell, Zen and later).
/// Callers check the CPU first: this module is the only code built for it.
///
/// A panel holds 16 columns of B as `depth` rows of 16 consecutive values;
/// columns past B's last are zero. Packed once, a matrix serves many products
/// without the packing a general sgemm does on every call: attention's keys and
/// values, read by every block of queries with a head of only 40 values.
public enum PanelGEMM {
    /// Columns per panel.
    public static let width = 16
    /// Rows of A (and C) per register tile: 6 × 16 accumulators fill 12 of the
    /// 16 vector registers.
    static let tileRows = 6
    /// Depth per pass: a panel's 256 × 16 values (16 KiB) stay in L1.
    static let depthBlock = 256
    /// Rows per pass: their 72 × 256 values of A (72 KiB) stay in L2.
    static let rowBlock = 72

    /// C (`rows` × `columns`, row stride `ldc`) = α · A · B, or C += α · A · B
    /// with `accumulate`, for A `rows` × `depth` (row stride `lda`) and B
    /// `depth` × `columns` in panels, panel p at `b + p · panelStride`.
    public static func multiply(rows: Int, columns: Int, depth: Int,
                                a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, panelStride: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int,
                                alpha: Float = 1, accumulate: Bool = false) {
        guard rows > 0, columns > 0 else { return }
        guard depth > 0 else {
            if !accumulate {
                for r in 0 ..< rows { (c + r * ldc).initialize(repeating: 0, count: columns) }
            }
            return
        }
        let panels = (columns + width - 1) / width
        var k0 = 0
        while k0 < depth {
            // Equal blocks of at most depthBlock.
            let kc = (depth - k0) / ((depth - k0 + depthBlock - 1) / depthBlock)
            let add = accumulate || k0 > 0
            var r0 = 0
            while r0 < rows {
                let rowEnd = min(rows, r0 + rowBlock)
                for p in 0 ..< panels {
                    let panel = b + p * panelStride + k0 * width
                    let c0 = p * width, count = min(width, columns - c0)
                    var r = r0
                    while r < rowEnd {
                        let tile = min(tileRows, rowEnd - r)
                        let aTile = a + r * lda + k0, cTile = c + r * ldc + c0
                        if tile == tileRows && count == width {
                            tile6x16(aTile, lda: lda, panel, depth: kc, cTile, ldc: ldc, alpha: alpha, add: add)
                        } else {
                            edgeTile(rows: tile, columns: count, aTile, lda: lda, panel, depth: kc, cTile, ldc: ldc,
                                     alpha: alpha, add: add)
                        }
                        r += tileRows
                    }
                }
                r0 = rowEnd
            }
            k0 += kc
        }
    }

    /// A tile of fewer rows or columns: computed whole into a scratch tile, of
    /// which the valid part is written.
    private static func edgeTile(rows: Int, columns: Int, _ a: UnsafePointer<Float>, lda: Int,
                                 _ panel: UnsafePointer<Float>, depth: Int,
                                 _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, add: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tileRows * width) { scratch in
            let s = scratch.baseAddress!
            if rows == tileRows {
                tile6x16(a, lda: lda, panel, depth: depth, s, ldc: width, alpha: alpha, add: false)
            } else {
                // Rows past the last repeat row 0, from a copy that keeps them in bounds.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: tileRows * depth) { rowsCopy in
                    let t = rowsCopy.baseAddress!
                    for r in 0 ..< tileRows {
                        (t + r * depth).initialize(from: a + (r < rows ? r : 0) * lda, count: depth)
                    }
                    tile6x16(t, lda: depth, panel, depth: depth, s, ldc: width, alpha: alpha, add: false)
                }
            }
            for r in 0 ..< rows {
                let from = s + r * width, to = c + r * ldc
                if add {
                    for j in 0 ..< columns { to[j] += from[j] }
                } else {
                    to.update(from: from, count: columns)
                }
            }
        }
    }

    /// The register tile: C[6 × 16] = α · A[6 × depth] · panel (+ C with `add`).
    @inline(__always)
    private static func tile6x16(_ a: UnsafePointer<Float>, lda: Int, _ panel: UnsafePointer<Float>, depth: Int,
                                 _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, add: Bool) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var bp = UnsafeRawPointer(panel)
        for k in 0 ..< depth {
            let b0 = bp.loadUnaligned(as: V.self), b1 = bp.loadUnaligned(fromByteOffset: 32, as: V.self)
            var s = V(repeating: a0[k]); c00.addProduct(s, b0); c01.addProduct(s, b1)
            s = V(repeating: a1[k]); c10.addProduct(s, b0); c11.addProduct(s, b1)
            s = V(repeating: a2[k]); c20.addProduct(s, b0); c21.addProduct(s, b1)
            s = V(repeating: a3[k]); c30.addProduct(s, b0); c31.addProduct(s, b1)
            s = V(repeating: a4[k]); c40.addProduct(s, b0); c41.addProduct(s, b1)
            s = V(repeating: a5[k]); c50.addProduct(s, b0); c51.addProduct(s, b1)
            bp += 64
        }
        @inline(__always)
        func store(_ row: Int, _ x: V, _ y: V) {
            let q = UnsafeMutableRawPointer(c + row * ldc)
            if add {
                q.storeBytes(of: q.loadUnaligned(as: V.self) + alpha * x, as: V.self)
                (q + 32).storeBytes(of: (q + 32).loadUnaligned(as: V.self) + alpha * y, as: V.self)
            } else {
                q.storeBytes(of: alpha * x, as: V.self)
                (q + 32).storeBytes(of: alpha * y, as: V.self)
            }
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
        store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
    }
}
