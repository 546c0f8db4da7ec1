extension Image {
    /// Every plane (alpha included, so edges stay where the colour is) convolved
    /// with `kernel`: in two 1-D passes when it has factors, in one 2-D pass otherwise.
    ///
    /// Borders reflect *without* repeating the edge sample ("reflect-101":
    /// … 2 1 | 0 1 2 … n−1 | n−2 n−3 …), which is PyTorch's `reflect` padding
    /// that Real-ESRGAN's `filter2D` uses, numpy's `reflect` and OpenCV's
    /// `BORDER_REFLECT_101`; images narrower than the kernel reflect repeatedly.
    public func convolved(with kernel: BlurKernel) -> Image {
        var out = self
        samples.withUnsafeBufferPointer { source in
            out.samples.withUnsafeMutableBufferPointer { target in
                for c in 0 ..< layout.channelCount {
                    let range = c * planeCount ..< (c + 1) * planeCount
                    let src = UnsafeBufferPointer(rebasing: source[range])
                    let dst = UnsafeMutableBufferPointer(rebasing: target[range])
                    if let factors = kernel.factors {
                        Convolution.separable(src, dst, width: width, height: height,
                                              horizontal: factors.horizontal, vertical: factors.vertical)
                    } else {
                        Convolution.general(src, dst, width: width, height: height,
                                            weights: kernel.weights, size: kernel.size)
                    }
                }
            }
        }
        return out
    }
}

/// Plane-level convolution with reflect-101 borders, parallel over rows.
enum Convolution {
    /// Rows per work item: enough to amortise the scratch row, few enough to balance.
    private static let rowsPerTask = 16

    /// The reflect-101 image of index `i` in 0..<n.
    static func reflect101(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - m
    }

    /// `dst` = `src` convolved along rows with `horizontal`, then along columns
    /// with `vertical` (odd lengths; either may be the identity `[1]`).
    static func separable(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                          width: Int, height: Int, horizontal: [Float], vertical: [Float]) {
        var temp = [Float](repeating: 0, count: width * height)
        temp.withUnsafeMutableBufferPointer { tmp in
            rows(src, tmp, width: width, height: height, kernel: horizontal)
            columns(UnsafeBufferPointer(tmp), dst, width: width, height: height, kernel: vertical)
        }
    }

    /// `dst` = `src` convolved with the `size × size` `weights` (row by row).
    static func general(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                        width: Int, height: Int, weights: [Float], size: Int) {
        let r = size / 2
        let paddedWidth = width + 2 * r, paddedHeight = height + 2 * r
        let columnIndex = (0 ..< paddedWidth).map { reflect101($0 - r, width) }
        var padded = [Float](repeating: 0, count: paddedWidth * paddedHeight)
        padded.withUnsafeMutableBufferPointer { pad in
            for py in 0 ..< paddedHeight {
                let row = src.baseAddress! + reflect101(py - r, height) * width
                let out = pad.baseAddress! + py * paddedWidth
                for px in 0 ..< paddedWidth { out[px] = row[columnIndex[px]] }
            }
        }
        // Convolution, not correlation: tap (ky, kx) of the flipped kernel meets
        // padded pixel (y + ky, x + kx).
        let flipped = Array(weights.reversed())
        padded.withUnsafeBufferPointer { pad in
            flipped.withUnsafeBufferPointer { k in
                parallelFor(height) { y in
                    let out = dst.baseAddress! + y * width
                    out.update(repeating: 0, count: width)
                    for ky in 0 ..< size {
                        let row = pad.baseAddress! + (y + ky) * paddedWidth
                        for kx in 0 ..< size {
                            let w = k[ky * size + kx]
                            if w == 0 { continue }
                            let tap = row + kx
                            for x in 0 ..< width { out[x] += w * tap[x] }
                        }
                    }
                }
            }
        }
    }

    /// Convolves each row with the odd-length `kernel`.
    private static func rows(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                             width: Int, height: Int, kernel: [Float]) {
        onePass(src, dst, kernel: kernel) { k, r in
            let paddedWidth = width + 2 * r
            let columnIndex = (0 ..< paddedWidth).map { reflect101($0 - r, width) }
            let tasks = (height + rowsPerTask - 1) / rowsPerTask
            parallelFor(tasks) { task in
                var scratch = [Float](repeating: 0, count: paddedWidth)
                scratch.withUnsafeMutableBufferPointer { pad in
                    for y in task * rowsPerTask ..< min(height, (task + 1) * rowsPerTask) {
                        let row = src.baseAddress! + y * width
                        for px in 0 ..< paddedWidth { pad[px] = row[columnIndex[px]] }
                        let out = dst.baseAddress! + y * width
                        out.update(repeating: 0, count: width)
                        for t in 0 ..< k.count {
                            let w = k[t], tap = pad.baseAddress! + t
                            for x in 0 ..< width { out[x] += w * tap[x] }
                        }
                    }
                }
            }
        }
    }

    /// Convolves each column with the odd-length `kernel`, a row at a time so the
    /// inner loop runs along contiguous memory.
    private static func columns(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                                width: Int, height: Int, kernel: [Float]) {
        onePass(src, dst, kernel: kernel) { k, r in
            parallelFor(height) { y in
                let out = dst.baseAddress! + y * width
                out.update(repeating: 0, count: width)
                for t in 0 ..< k.count {
                    let w = k[t], row = src.baseAddress! + reflect101(y + t - r, height) * width
                    for x in 0 ..< width { out[x] += w * row[x] }
                }
            }
        }
    }

    /// One pass of a separable convolution: `convolve` with the odd-length
    /// `kernel` flipped (convolution, not correlation) and its radius, or a
    /// copy of `src` into `dst` when the kernel is the identity `[1]`.
    private static func onePass(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                                kernel: [Float], _ convolve: (_ flipped: UnsafeBufferPointer<Float>, _ r: Int) -> Void) {
        let r = kernel.count / 2
        guard r > 0 else {
            _ = dst.update(fromContentsOf: src)
            return
        }
        Array(kernel.reversed()).withUnsafeBufferPointer { convolve($0, r) }
    }
}
