/// One channel of a window of an image: `rect.width × rect.height` samples,
/// row by row, whose top-left sample sits at (`rect.x`, `rect.y`) in the image.
struct WindowPlane: Sendable {
    /// Where the window lies in the image.
    let rect: Rect
    /// The samples, row by row.
    var values: [Float]

    /// A window of zeros.
    init(zeros rect: Rect) {
        self.rect = rect
        values = [Float](repeating: 0, count: rect.width * rect.height)
    }

    /// A window over existing samples (`rect.width × rect.height` of them).
    init(_ rect: Rect, values: [Float]) {
        precondition(values.count == rect.width * rect.height, "window plane size mismatch")
        self.rect = rect
        self.values = values
    }

    /// Channel `c` of `image`, whose top-left pixel sits at `origin` in the full image.
    init(channel c: Int, of image: Image, origin: (x: Int, y: Int)) {
        rect = Rect(x: origin.x, y: origin.y, width: image.width, height: image.height)
        values = Array(image.plane(c))
    }

    /// The samples of `region` (which must lie inside this window), row by row.
    func samples(in region: Rect) -> [Float] {
        precondition(rect.contains(region), "window \(rect) lacks \(region)")
        var out = [Float]()
        out.reserveCapacity(region.width * region.height)
        for row in region.y ..< region.maxY {
            let start = (row - rect.y) * rect.width + region.x - rect.x
            out.append(contentsOf: values[start ..< start + region.width])
        }
        return out
    }
}
