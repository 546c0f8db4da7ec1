/// Moving a chroma plane between full resolution and the resolution at which
/// a subsampled JPEG stores it (half along each subsampled axis), the way
/// libjpeg does in both directions.
///
/// The encoder averages 2 (or 2×2) samples into one; the decoder's default
/// "fancy" upsampling interpolates each output sample as ¾ of its nearest
/// stored sample and ¼ of the next one along each subsampled axis, edges
/// repeated (libjpeg's h2v1 and h2v2 upsamplers, which are separable).
struct ChromaResampling {
    /// Whether columns, and rows, are halved.
    let horizontal: Bool
    let vertical: Bool

    /// Jacobi sweeps that undo the decoder's smoothing; each divides the
    /// error by three (see `stored(from:)`) and reaches one sample further.
    static let sweeps = 4

    init(_ subsampling: ChromaSubsampling) {
        horizontal = subsampling != .none
        vertical = subsampling == .both
    }

    /// Luma pixels per stored chroma sample across and down.
    var factors: (x: Int, y: Int) { (horizontal ? 2 : 1, vertical ? 2 : 1) }

    /// The stored plane a decoder held before upsampling it to `plane`.
    ///
    /// Averaging fancy-upsampled output over the cells of the encoder's
    /// averaging gives the stored plane filtered by [1 6 1] / 8 along each
    /// subsampled axis (edges repeated). Averaging, then undoing that filter
    /// by Jacobi sweeps (x ← (8b − x₋₁ − x₊₁) / 6), recovers the stored samples
    /// up to the decoder's rounding, with a reach of `sweeps` samples, which
    /// keeps tiles independent of each other.
    func stored(from plane: JPEGPlane) -> JPEGPlane {
        var out = averaged(plane)
        if horizontal { out = Self.unsmoothed(out, alongRows: true) }
        if vertical { out = Self.unsmoothed(out, alongRows: false) }
        return out
    }

    /// `plane` averaged over each cell of `factors` pixels, as the encoder
    /// downsamples (a partial cell at the right or bottom repeats its last
    /// column or row, as the encoder pads).
    func averaged(_ plane: JPEGPlane) -> JPEGPlane {
        let (fx, fy) = factors
        let w = (plane.width + fx - 1) / fx, h = (plane.height + fy - 1) / fy
        var out = JPEGPlane(width: w, height: h)
        for y in 0 ..< h {
            let r0 = fy * y * plane.width, r1 = min(fy * y + fy - 1, plane.height - 1) * plane.width
            for x in 0 ..< w {
                let c0 = fx * x, c1 = min(fx * x + fx - 1, plane.width - 1)
                // Along an axis that is not halved c0 == c1 (or r0 == r1): the
                // four terms still average the cell.
                var sum = plane.samples[r0 + c0] + plane.samples[r0 + c1]
                sum += plane.samples[r1 + c0] + plane.samples[r1 + c1]
                out.samples[y * w + x] = sum / 4
            }
        }
        return out
    }

    /// `plane` with the [1 6 1] / 8 filter undone along its rows (or columns).
    private static func unsmoothed(_ plane: JPEGPlane, alongRows: Bool) -> JPEGPlane {
        let count = alongRows ? plane.width : plane.height
        let lines = alongRows ? plane.height : plane.width
        let step = alongRows ? 1 : plane.width, lineStep = alongRows ? plane.width : 1
        let target = plane.samples
        var current = target, next = target
        for _ in 0 ..< sweeps {
            for line in 0 ..< lines {
                let base = line * lineStep
                for i in 0 ..< count {
                    let own = current[base + i * step]
                    // An edge sample is its own outer neighbour: 7x₀ + x₁ = 8b₀.
                    let before = i == 0 ? own : current[base + (i - 1) * step]
                    let after = i == count - 1 ? own : current[base + (i + 1) * step]
                    let edges: Float = (i == 0 ? 1 : 0) + (i == count - 1 ? 1 : 0)
                    next[base + i * step] = (8 * target[base + i * step] - before - after + edges * own) / (6 + edges)
                }
            }
            swap(&current, &next)
        }
        return JPEGPlane(width: plane.width, height: plane.height, samples: current)
    }

    /// The stored `plane` upsampled to `width` × `height` as libjpeg's fancy
    /// upsampling does.
    func upsampled(_ plane: JPEGPlane, width: Int, height: Int) -> JPEGPlane {
        var out = JPEGPlane(width: width, height: height)
        let (w, h) = (plane.width, plane.height)
        plane.samples.withUnsafeBufferPointer { s in
            for y in 0 ..< height {
                // Nearest stored row and the next one towards this output row.
                let (sy, ny, wy) = Self.taps(y, vertical, h)
                for x in 0 ..< width {
                    let (sx, nx, wx) = Self.taps(x, horizontal, w)
                    let near = (1 - wx) * s[sy * w + sx] + wx * s[sy * w + nx]
                    let far = (1 - wx) * s[ny * w + sx] + wx * s[ny * w + nx]
                    out.samples[y * width + x] = (1 - wy) * near + wy * far
                }
            }
        }
        return out
    }

    /// For output position `i`: the nearest stored sample, its neighbour on
    /// `i`'s side (edges repeated) and the neighbour's weight (¼, or 0 when
    /// the axis is not subsampled).
    @inline(__always)
    private static func taps(_ i: Int, _ subsampled: Bool, _ count: Int) -> (Int, Int, Float) {
        guard subsampled else { return (i, i, 0) }
        let s = i / 2
        return (s, min(max(i % 2 == 0 ? s - 1 : s + 1, 0), count - 1), 0.25)
    }
}
