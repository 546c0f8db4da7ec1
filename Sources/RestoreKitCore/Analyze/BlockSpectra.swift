/// JPEG's orthonormal 8×8 DCT (`BlockDCT`) of blocks read straight from a
/// plane, in eight-wide vector arithmetic: the estimators transform tens of
/// thousands of blocks, and a row of eight samples fits one SIMD register, so
/// each pass is eight multiply-adds per row.
enum BlockSpectra {
    /// Column k of the DCT matrix: (C[0][k], …, C[7][k]).
    static let columns: [SIMD8<Float>] = (0 ..< 8).map { k in
        SIMD8<Float>((0 ..< 8).map { u in BlockDCT.basis[u * 8 + k] })
    }

    /// The 64 coefficients of the block whose top-left sample is `origin` in
    /// `plane` (rows `width` samples apart), row u = vertical frequency,
    /// column v = horizontal, written to `out[0 ..< 64]`.
    @inline(__always)
    static func transform(_ plane: UnsafePointer<Float>, width: Int, origin: Int, into out: UnsafeMutablePointer<Float>) {
        let c = columns
        // Along each row: y_r = Σ_k x_r[k]·C[·][k].
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 8) { rows in
            for r in 0 ..< 8 {
                let x = UnsafeRawPointer(plane + origin + r * width).loadUnaligned(as: SIMD8<Float>.self)
                var y = x[0] * c[0]
                for k in 1 ..< 8 { y += x[k] * c[k] }
                rows[r] = y
            }
            // Along each column: F[u] = Σ_j C[u][j]·y_j.
            for u in 0 ..< 8 {
                var f = SIMD8<Float>.zero
                for j in 0 ..< 8 { f += c[j][u] * rows[j] }
                UnsafeMutableRawPointer(out + u * 8).storeBytes(of: f, as: SIMD8<Float>.self)
            }
        }
    }
}
