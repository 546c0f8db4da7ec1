/// The aggregation buffers of one band: weighted sums of filtered patches and
/// of their weights, kept per channel in the row-spectrum domain.
///
/// A filtered patch arrives as its 2-D spectrum; only the inverse vertical
/// transform is applied per patch. Instead of finishing the inverse horizontal
/// transform for every patch too, rows are
/// summed per position as spectra; the horizontal inverse, and the horizontal
/// factor of the Kaiser window, are applied once per position in `flush`.
/// By linearity the result is the same as aggregating pixels, for a fraction
/// of the work (a pixel position takes part in many groups).
final class SpectralAccumulator {
    let positions: Int
    let channels: Int
    let capacityRows: Int
    private(set) var top = 0
    private(set) var rows = 0
    private let sums: UnsafeMutablePointer<Float>
    private let weights: UnsafeMutablePointer<Float>
    private let transform: PatchTransform
    /// The inverse transform's columns with the window's horizontal factor folded in.
    private let inverse: [SIMD8<Float>]
    /// The window itself (8 taps), for the vertical factor and the weights.
    private let windowRow: SIMD8<Float>

    /// Buffers for planes `width` wide (≥ 8), bands of up to `capacityRows` rows,
    /// patches in the `transform` domain.
    init(width: Int, channels: Int, capacityRows: Int, transform: PatchTransform, window: [Float]) {
        positions = width - 7
        self.channels = channels
        self.capacityRows = capacityRows
        sums = .allocate(capacity: channels * capacityRows * positions * 8)
        weights = .allocate(capacity: channels * capacityRows * positions)
        self.transform = transform
        inverse = transform.inverseColumns(window: window)
        windowRow = SIMD8(window)
    }

    deinit {
        sums.deallocate()
        weights.deallocate()
    }

    /// Starts a band covering pixel rows `top ..< top + rows`.
    func reset(top: Int, rows: Int) {
        precondition(rows <= capacityRows, "band exceeds accumulator capacity")
        self.top = top
        self.rows = rows
        for c in 0 ..< channels {
            (sums + c * capacityRows * positions * 8).update(repeating: 0, count: rows * positions * 8)
            (weights + c * capacityRows * positions).update(repeating: 0, count: rows * positions)
        }
    }

    /// Adds the patch at (`x`, `y`) of `channel`, given as its 2-D spectrum,
    /// with aggregation weight `weight` times the window: the patch times that
    /// to the sums, the weight itself to the weights.
    @inline(__always)
    func add(channel: Int, x: Int, y: Int, spectrum: UnsafePointer<Float>, weight: Float) {
        let index = (y - top) * positions + x
        let factors = SIMD8<Float>(repeating: weight) * windowRow
        withUnsafeBytes(of: factors) { raw in
            transform.inverseAccumulate(spectrum, factors: raw.baseAddress!.assumingMemoryBound(to: Float.self),
                                   into: sums + c8(channel) + index * 8, stride: positions * 8)
        }
        let w = weights + channel * capacityRows * positions + index
        for v in 0 ..< 8 { w[v * positions] += factors[v] }
    }

    @inline(__always)
    private func c8(_ channel: Int) -> Int { channel * capacityRows * positions * 8 }

    /// Adds the band's pixels to `numerator` and `denominator` (planes of
    /// `width` × height, channel after channel, `planeCount` apart).
    func flush(numerator: UnsafeMutablePointer<Float>, denominator: UnsafeMutablePointer<Float>,
               width: Int, planeCount: Int) {
        let i0 = inverse[0], i1 = inverse[1], i2 = inverse[2], i3 = inverse[3]
        let i4 = inverse[4], i5 = inverse[5], i6 = inverse[6], i7 = inverse[7]
        for c in 0 ..< channels {
            for row in 0 ..< rows {
                let s = sums + c8(c) + row * positions * 8
                let w = weights + c * capacityRows * positions + row * positions
                let num = numerator + c * planeCount + (top + row) * width
                let den = denominator + c * planeCount + (top + row) * width
                for x in 0 ..< positions where w[x] != 0 {
                    let a = load8(s + x * 8)
                    let p01: SIMD8<Float> = i0 * a[0] + i1 * a[1]
                    let p23: SIMD8<Float> = i2 * a[2] + i3 * a[3]
                    let p45: SIMD8<Float> = i4 * a[4] + i5 * a[5]
                    let p67: SIMD8<Float> = i6 * a[6] + i7 * a[7]
                    let pixels: SIMD8<Float> = (p01 + p23) + (p45 + p67)
                    store8(load8(num + x) + pixels, num + x)
                    store8(load8(den + x) + windowRow * w[x], den + x)
                }
            }
        }
    }
}
