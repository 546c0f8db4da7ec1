extension Image {
    /// The pixels inside `rect`, which must lie within the image.
    public func cropped(to rect: Rect) -> Image {
        precondition(Rect(width: width, height: height).contains(rect) && !rect.isEmpty,
                     "crop \(rect) outside \(width)×\(height)")
        if rect == Rect(width: width, height: height) { return self }
        var out = [Float](repeating: 0, count: rect.width * rect.height * layout.channelCount)
        samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0 ..< layout.channelCount {
                    for row in 0 ..< rect.height {
                        let from = (c * height + rect.y + row) * width + rect.x
                        let to = (c * rect.height + row) * rect.width
                        for i in 0 ..< rect.width { dst[to + i] = src[from + i] }
                    }
                }
            }
        }
        return Image(unchecked: rect.width, rect.height, layout, encoding, out)
    }

    /// Copies all of `patch` (same layout) into this image with its top-left at `x`, `y`.
    public mutating func paste(_ patch: Image, x: Int, y: Int) {
        precondition(patch.layout == layout, "paste of \(patch.layout.name) into \(layout.name)")
        precondition(Rect(width: width, height: height)
            .contains(Rect(x: x, y: y, width: patch.width, height: patch.height)), "paste outside image")
        let (w, h) = (width, height)
        samples.withUnsafeMutableBufferPointer { dst in
            patch.samples.withUnsafeBufferPointer { src in
                for c in 0 ..< layout.channelCount {
                    for row in 0 ..< patch.height {
                        let from = (c * patch.height + row) * patch.width
                        let to = (c * h + y + row) * w + x
                        for i in 0 ..< patch.width { dst[to + i] = src[from + i] }
                    }
                }
            }
        }
    }
}
