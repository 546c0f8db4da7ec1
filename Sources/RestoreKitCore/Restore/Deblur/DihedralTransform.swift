/// One of the eight flips and transpositions of a stack of planes, for
/// showing a denoiser the image in another orientation and turning its
/// answer back (`PlugAndPlayDeblurrer` turns the prior's input each
/// iteration).
///
/// Odd sides are first made even by reflection (x[n] = x[n − 2], as FFDNet
/// pads them), so every orientation keeps FFDNet's 2 × 2 pixel blocks: a
/// tile that starts on even pixels sees the same blocks as the whole image.
struct DihedralTransform {
    /// Transposed first, then mirrored left-right, then top-bottom.
    let transposed: Bool
    let flippedX: Bool
    let flippedY: Bool
    /// The planes' size.
    let width: Int
    let height: Int

    /// Mode 0 … 7: bit 2 transposes, bit 0 mirrors x, bit 1 mirrors y.
    init(mode: Int, width: Int, height: Int) {
        transposed = mode & 4 != 0
        flippedX = mode & 1 != 0
        flippedY = mode & 2 != 0
        self.width = width
        self.height = height
    }

    /// The turned planes' size.
    var turnedWidth: Int { transposed ? evenHeight : evenWidth }
    var turnedHeight: Int { transposed ? evenWidth : evenHeight }

    private var evenWidth: Int { width + width % 2 }
    private var evenHeight: Int { height + height % 2 }

    /// The sample of the padded plane that the turned plane holds at (x, y).
    private func source(_ x: Int, _ y: Int) -> (x: Int, y: Int) {
        let tx = flippedX ? turnedWidth - 1 - x : x, ty = flippedY ? turnedHeight - 1 - y : y
        return transposed ? (ty, tx) : (tx, ty)
    }

    /// `planes` (each `width × height`, row by row) turned.
    func apply(_ planes: [Float], count: Int) -> [Float] {
        let (w, h) = (width, height)
        var out = [Float](repeating: 0, count: count * turnedWidth * turnedHeight)
        forEachSample(count: count) { i, c, sx, sy in
            // The padding column and row reflect: x[n] = x[n − 2].
            let x = sx < w ? sx : max(w - 2, 0), y = sy < h ? sy : max(h - 2, 0)
            out[i] = planes[(c * h + y) * w + x]
        }
        return out
    }

    /// Turned planes (as `apply` returns them) back to `width × height`.
    func invert(_ turned: [Float], count: Int) -> [Float] {
        let (w, h) = (width, height)
        var out = [Float](repeating: 0, count: count * w * h)
        forEachSample(count: count) { i, c, sx, sy in
            if sx < w && sy < h { out[(c * h + sy) * w + sx] = turned[i] }
        }
        return out
    }

    /// Calls `body(i, c, sx, sy)` for every sample of `count` turned planes:
    /// i its index there, in plane c, holding sample (sx, sy) of the padded plane.
    private func forEachSample(count: Int, _ body: (_ i: Int, _ c: Int, _ sx: Int, _ sy: Int) -> Void) {
        let (tw, th) = (turnedWidth, turnedHeight)
        for c in 0 ..< count {
            for y in 0 ..< th {
                for x in 0 ..< tw {
                    let (sx, sy) = source(x, y)
                    body((c * th + y) * tw + x, c, sx, sy)
                }
            }
        }
    }
}
