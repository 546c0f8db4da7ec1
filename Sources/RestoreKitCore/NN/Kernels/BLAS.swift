import COpenBLAS

/// The engine's use of OpenBLAS: single-threaded sgemm calls on row-major
/// matrices, issued from the engine's own worker threads.
///
/// Why single-threaded: the engine splits every convolution into independent
/// blocks (Winograd tile blocks, im2col pixel bands) and runs them on the
/// threads `Network.forward` is given, each calling sgemm on its own block.
/// OpenBLAS's thread pool would serialise concurrent callers and, inside hosts
/// that call in from several threads (GEGL), oversubscribe the cores. So the
/// engine sets OpenBLAS to one thread before it runs (`openblas_set_num_threads`
/// is process-wide) and owns the parallelism itself.
public enum BLAS {
    /// The OpenBLAS kernel in use (e.g. "Haswell", "SkylakeX", "Zen"), for reports.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Makes OpenBLAS run each call on the calling thread only.
    public static func useCallingThreadOnly() {
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }

    /// C = alpha · A · B (`accumulate`: C += …) for row-major A (m × k, row
    /// stride `lda`), B (k × n, `ldb`; with `transposeB`, B is stored n × k) and
    /// C (m × n, `ldc`).
    @inline(__always)
    static func sgemm(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                      c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, accumulate: Bool = false) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    }
}
