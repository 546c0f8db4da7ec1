#if canImport(Glibc)
import Glibc
#endif

/// Embeds a plane in a larger periodic frame for FFT-based deconvolution,
/// so that the FFT's circular convolution does not wrap one border onto the
/// opposite one (the cause of ringing at image borders).
///
/// Along each axis the frame holds, in order: the plane extended by `margin`
/// samples of reflect-101 (mirror without repeating the edge: … 2 1 | 0 1 2 …)
/// on both sides, then a gap of at least `minimumGap` samples that blends
/// smoothly (half a cosine) from the last mirrored sample back to the first,
/// closing the period without a jump. The frame side is a fast FFT size.
///
/// Reflect-101 is also how the Degrade module blurs borders, and the blur of
/// a mirror-symmetric signal is mirror-symmetric, so the frame's margin is
/// exactly the blur of the mirrored sharp plane: the model holds up to the
/// border. Only the gap is fiction, `margin` samples away from the plane.
struct PeriodicFrame {
    /// The plane's size.
    let width: Int
    let height: Int
    /// Mirrored samples on each side.
    let margin: Int
    /// The frame's size (fast FFT sizes).
    let frameWidth: Int
    let frameHeight: Int

    init(width: Int, height: Int, margin: Int, minimumGap: Int) {
        self.width = width
        self.height = height
        self.margin = margin
        frameWidth = FFT.fastSize(atLeast: width + 2 * margin + minimumGap)
        frameHeight = FFT.fastSize(atLeast: height + 2 * margin + minimumGap)
    }

    /// Where the plane's pixel (0, 0) sits in the frame.
    var origin: Int { margin }

    /// Along one axis of `size` samples framed in `frame`: for each frame
    /// position, the two source samples and the weight of the second.
    private static func axisMap(size: Int, margin: Int, frame: Int) -> [(Int, Int, Float)] {
        let mirrored = size + 2 * margin
        let gap = frame - mirrored
        let last = reflect101(size + margin - 1, size), first = reflect101(-margin, size)
        return (0 ..< frame).map { i in
            if i < mirrored {
                let source = reflect101(i - margin, size)
                return (source, source, 0)
            }
            let s = Double(i - mirrored + 1) / Double(gap + 1)
            return (last, first, Float(0.5 - 0.5 * cos(Double.pi * s)))
        }
    }

    /// The reflect-101 image of index `i` in 0..<n.
    private static func reflect101(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - m
    }

    /// The framed copy of `plane` (`width · height` samples, row by row).
    func embed(_ plane: UnsafeBufferPointer<Float>, threads: Int) -> [Float] {
        let columns = Self.axisMap(size: width, margin: margin, frame: frameWidth)
        let rows = Self.axisMap(size: height, margin: margin, frame: frameHeight)
        let (w, fw) = (width, frameWidth)
        var framed = [Float](repeating: 0, count: frameWidth * frameHeight)
        framed.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!, src = plane.baseAddress!
            parallelFor(frameHeight, threads: threads) { y in
                let (r0, r1, v) = rows[y]
                let a = src + r0 * w, b = src + r1 * w, row = out + y * fw
                for x in 0 ..< fw {
                    let (c0, c1, u) = columns[x]
                    let top = a[c0] + u * (a[c1] - a[c0])
                    let bottom = b[c0] + u * (b[c1] - b[c0])
                    row[x] = top + v * (bottom - top)
                }
            }
        }
        return framed
    }

    /// The plane's pixels out of a frame, into `plane`.
    func extract(_ framed: [Float], into plane: UnsafeMutableBufferPointer<Float>) {
        framed.withUnsafeBufferPointer { source in
            for y in 0 ..< height {
                let row = source.baseAddress! + (y + margin) * frameWidth + margin
                for x in 0 ..< width { plane[y * width + x] = row[x] }
            }
        }
    }
}
