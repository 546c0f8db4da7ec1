/// One Winograd minimal-filtering algorithm F(m×m, 3×3): output tiles of
/// m × m pixels from input tiles of (m+2) × (m+2), with the 1-D transforms
/// Bᵀ (input), Aᵀ (output) and G (kernel) of Lavin & Gray. The 2-D transforms
/// apply the 1-D ones to rows, then columns.
///
/// Transforms work on SIMD8 vectors (eight channels of one position at once)
/// read and written at float offsets, so they run on HWC tensors and GEMM
/// operands directly.
protocol WinogradVariant {
    /// m: output tile side.
    static var outputTile: Int { get }
    /// G, (m+2) × 3, applied to each kernel row and column at load time.
    static var kernelTransform: [[Double]] { get }
    /// Bᵀ applied to the m+2 vectors at `src`, `src + srcStride`, …, written
    /// to `dst`, `dst + dstStride`, … (strides in floats).
    static func transformInput(_ src: UnsafePointer<Float>, _ srcStride: Int,
                               _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int)
    /// Aᵀ: m+2 vectors in, m out, strides as above.
    static func transformOutput(_ src: UnsafePointer<Float>, _ srcStride: Int,
                                _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int)
}

extension WinogradVariant {
    /// a = m + 2: input tile side.
    static var inputTile: Int { outputTile + 2 }
}

typealias Vec8 = SIMD8<Float>

/// A variant whose 1-D transforms run on the two halves of the eight lanes in
/// turn: eight 4-lane inputs and their temporaries fit the sixteen SSE
/// registers of the baseline x86-64 target, eight 8-lane ones would spill.
protocol WinogradHalfLaneVariant: WinogradVariant {
    /// `transformInput` on four lanes.
    static func transformInputHalf(_ src: UnsafePointer<Float>, _ srcStride: Int,
                                   _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int)
    /// `transformOutput` on four lanes.
    static func transformOutputHalf(_ src: UnsafePointer<Float>, _ srcStride: Int,
                                    _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int)
}

extension WinogradHalfLaneVariant {
    @inline(__always)
    static func transformInput(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int) {
        transformInputHalf(s, ss, d, ds)
        transformInputHalf(s + 4, ss, d + 4, ds)
    }

    @inline(__always)
    static func transformOutput(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int) {
        transformOutputHalf(s, ss, d, ds)
        transformOutputHalf(s + 4, ss, d + 4, ds)
    }
}

/// F(6×6, 3×3): 8×8 input tiles, interpolation points 0, ±1, ±2, ±½ and ∞
/// (ncnn's winograd63 matrices). 5.06× fewer multiplications than direct
/// convolution; the transforms cost more and round more than F(4×4).
enum WinogradF63: WinogradHalfLaneVariant {
    static var outputTile: Int { 6 }

    static var kernelTransform: [[Double]] {
        [[1, 0, 0],
         [-2.0 / 9, -2.0 / 9, -2.0 / 9],
         [-2.0 / 9, 2.0 / 9, -2.0 / 9],
         [1.0 / 90, 1.0 / 45, 2.0 / 45],
         [1.0 / 90, -1.0 / 45, 2.0 / 45],
         [1.0 / 45, 1.0 / 90, 1.0 / 180],
         [1.0 / 45, -1.0 / 90, 1.0 / 180],
         [0, 0, 1]]
    }

    @inline(__always)
    static func transformInputHalf(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>,
                                   _ ds: Int) {
        let r0 = load4(s, 0), r1 = load4(s, ss), r2 = load4(s, 2 * ss), r3 = load4(s, 3 * ss)
        let r4 = load4(s, 4 * ss), r5 = load4(s, 5 * ss), r6 = load4(s, 6 * ss), r7 = load4(s, 7 * ss)
        let t12a = r2 + r6 - r4 * 4.25, t12b = r1 + r5 - r3 * 4.25
        let t34a = r6 + r2 * 0.25 - r4 * 1.25, t34b = r1 * 0.5 - r3 * 2.5 + r5 * 2
        let t56a = r6 + (r2 - r4 * 1.25) * 4, t56b = r1 * 2 - r3 * 2.5 + r5 * 0.5
        store4(r0 - r6 + (r4 - r2) * 5.25, d, 0)
        store4(t12a + t12b, d, ds)
        store4(t12a - t12b, d, 2 * ds)
        store4(t34a + t34b, d, 3 * ds)
        store4(t34a - t34b, d, 4 * ds)
        store4(t56a + t56b, d, 5 * ds)
        store4(t56a - t56b, d, 6 * ds)
        store4(r7 - r1 + (r3 - r5) * 5.25, d, 7 * ds)
    }

    @inline(__always)
    static func transformOutputHalf(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>,
                                    _ ds: Int) {
        let t0 = load4(s, 0), t1 = load4(s, ss), t2 = load4(s, 2 * ss), t3 = load4(s, 3 * ss)
        let t4 = load4(s, 4 * ss), t5 = load4(s, 5 * ss), t6 = load4(s, 6 * ss), t7 = load4(s, 7 * ss)
        let a024 = t1 + t2, a135 = t1 - t2, b024 = t3 + t4, b135 = t3 - t4, c024 = t5 + t6, c135 = t5 - t6
        store4(t0 + a024 + b024 + c024 * 32, d, 0)
        store4(a135 + b135 * 2 + c135 * 16, d, ds)
        store4(a024 + b024 * 4 + c024 * 8, d, 2 * ds)
        store4(a135 + b135 * 8 + c135 * 4, d, 3 * ds)
        store4(a024 + b024 * 16 + c024 * 2, d, 4 * ds)
        store4(t7 + a135 + b135 * 32 + c135, d, 5 * ds)
    }
}

/// F(4×4, 3×3): 6×6 input tiles, points 0, ±1, ±2 and ∞. 4× fewer
/// multiplications than direct convolution, cheaper and more accurate
/// transforms than F(6×6).
enum WinogradF43: WinogradVariant {
    static var outputTile: Int { 4 }

    static var kernelTransform: [[Double]] {
        [[1.0 / 4, 0, 0],
         [-1.0 / 6, -1.0 / 6, -1.0 / 6],
         [-1.0 / 6, 1.0 / 6, -1.0 / 6],
         [1.0 / 24, 1.0 / 12, 1.0 / 6],
         [1.0 / 24, -1.0 / 12, 1.0 / 6],
         [0, 0, 1]]
    }

    @inline(__always)
    static func transformInput(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int) {
        let r0 = load8(s, 0), r1 = load8(s, ss), r2 = load8(s, 2 * ss)
        let r3 = load8(s, 3 * ss), r4 = load8(s, 4 * ss), r5 = load8(s, 5 * ss)
        let t12a = r4 - r2 * 4, t12b = r3 - r1 * 4
        let t34a = r4 - r2, t34b = (r3 - r1) * 2
        store8(r0 * 4 - r2 * 5 + r4, d, 0)
        store8(t12a + t12b, d, ds)
        store8(t12a - t12b, d, 2 * ds)
        store8(t34a + t34b, d, 3 * ds)
        store8(t34a - t34b, d, 4 * ds)
        store8(r1 * 4 - r3 * 5 + r5, d, 5 * ds)
    }

    @inline(__always)
    static func transformOutput(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int) {
        let t0 = load8(s, 0), t1 = load8(s, ss), t2 = load8(s, 2 * ss)
        let t3 = load8(s, 3 * ss), t4 = load8(s, 4 * ss), t5 = load8(s, 5 * ss)
        let a = t1 + t2, b = t1 - t2, c = t3 + t4, e = t3 - t4
        store8(t0 + a + c, d, 0)
        store8(b + e * 2, d, ds)
        store8(a + c * 4, d, 2 * ds)
        store8(b + e * 8 + t5, d, 3 * ds)
    }
}
