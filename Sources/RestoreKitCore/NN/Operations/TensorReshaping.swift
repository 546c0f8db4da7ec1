/// The channels of `a` followed by those of `b`, pixel by pixel.
func concatenateChannels(_ a: Tensor, _ b: Tensor, threads: Int = 1) throws -> Tensor {
    guard a.height == b.height, a.width == b.width else {
        throw RestoreError(.model, "cannot join \(a.shapeDescription) and \(b.shapeDescription) along channels")
    }
    let out = try Tensor(height: a.height, width: a.width, channels: a.channels + b.channels)
    let ca = a.channels, cb = b.channels, c = ca + cb
    WorkSplit.forEachRange(a.height * a.width, threads: threads, minimumChunk: max(1, 16384 / c)) { pixels in
        for p in pixels {
            (out.pointer + p * c).update(from: a.pointer + p * ca, count: ca)
            (out.pointer + p * c + ca).update(from: b.pointer + p * cb, count: cb)
        }
    }
    return out
}

/// `x` resized to `height` × `width` by nearest neighbour as PyTorch's
/// `interpolate(mode="nearest")` picks it: source index ⌊i · in / out⌋.
func upsampleNearest(_ x: Tensor, height: Int, width: Int, threads: Int = 1) throws -> Tensor {
    let out = try Tensor(height: height, width: width, channels: x.channels)
    let c = x.channels
    let scaleY = Float(x.height) / Float(height), scaleX = Float(x.width) / Float(width)
    parallelFor(height, threads: threads) { y in
        let sy = min(Int(Float(y) * scaleY), x.height - 1)
        for ox in 0 ..< width {
            let sx = min(Int(Float(ox) * scaleX), x.width - 1)
            (out.pointer + (y * width + ox) * c).update(from: x.pointer + (sy * x.width + sx) * c, count: c)
        }
    }
    return out
}

/// Rows `range` of `x`: `x` itself when that is all of it, else a copy.
func rows(_ range: Range<Int>, of x: Tensor) throws -> Tensor {
    precondition(range.lowerBound >= 0 && range.upperBound <= x.height && !range.isEmpty, "rows out of range")
    if range.count == x.height { return x }
    let out = try Tensor(height: range.count, width: x.width, channels: x.channels)
    let row = x.width * x.channels
    out.pointer.update(from: x.pointer + range.lowerBound * row, count: range.count * row)
    return out
}
