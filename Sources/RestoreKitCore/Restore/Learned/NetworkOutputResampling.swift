/// Resamples the output of a network that enlarges by a fixed factor to the
/// size another factor asks for: Lanczos-3, antialiased when shrinking, as
/// Real-ESRGAN's `--outscale` does. Region by region, like every restorer:
/// `networkRect(for:)` says which network pixels an output region reads.
struct NetworkOutputResampling {
    static let filter = ResizeFilter.lanczos
    private let x: Resampling.Taps
    private let y: Resampling.Taps

    /// From the network's output size to the wanted output size.
    init(from network: (width: Int, height: Int), to output: (width: Int, height: Int)) {
        x = Resampling.taps(inSize: network.width, outSize: output.width, filter: Self.filter, antialias: true)
        y = Resampling.taps(inSize: network.height, outSize: output.height, filter: Self.filter, antialias: true)
    }

    /// The network output pixels the resampling of `output` reads.
    func networkRect(for output: Rect) -> Rect {
        func span(_ taps: Resampling.Taps, _ range: Range<Int>) -> Range<Int> {
            let lower = range.map { taps.starts[$0] }.min()!
            let upper = range.map { taps.starts[$0] + max(taps.counts[$0], 1) }.max()!
            return lower ..< upper
        }
        let xs = span(x, output.x ..< output.maxX), ys = span(y, output.y ..< output.maxY)
        return Rect(x: xs.lowerBound, y: ys.lowerBound, width: xs.count, height: ys.count)
    }

    /// Separable resampling of `image` (the network pixels of `rect`) to the
    /// output pixels of `output`, rows first, clamped to [0, 1].
    func resample(_ image: Image, at rect: Rect, to output: Rect) throws -> Image {
        let planes = image.layout.channelCount
        var result = try Image(width: output.width, height: output.height, layout: image.layout, encoding: image.encoding)
        var rows = [Float](repeating: 0, count: image.height * output.width)
        for c in 0 ..< planes {
            let plane = image.plane(c)
            let base = plane.startIndex
            for row in 0 ..< image.height {
                for column in 0 ..< output.width {
                    let i = output.x + column, first = x.starts[i] - rect.x
                    var sum: Float = 0
                    for t in 0 ..< x.counts[i] {
                        sum += x.weights[i * x.stride + t] * plane[base + row * image.width + first + t]
                    }
                    rows[row * output.width + column] = sum
                }
            }
            var out = [Float](repeating: 0, count: output.width * output.height)
            for row in 0 ..< output.height {
                let j = output.y + row, first = y.starts[j] - rect.y
                for t in 0 ..< y.counts[j] {
                    let w = y.weights[j * y.stride + t], source = (first + t) * output.width
                    for column in 0 ..< output.width { out[row * output.width + column] += w * rows[source + column] }
                }
            }
            result.setPlane(c, out.map { min(max($0, 0), 1) })
        }
        return result
    }
}
