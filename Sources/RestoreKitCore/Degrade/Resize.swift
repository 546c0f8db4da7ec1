#if canImport(Glibc)
import Glibc
#endif

/// A resampling filter, defined exactly as Pillow (PIL) defines it, so that
/// `Image.resized` matches Pillow's `Image.resize` on float ("F") images.
public enum ResizeFilter: String, Sendable, CaseIterable {
    /// The input pixel whose area holds the output pixel's centre.
    case nearest
    /// Triangle filter (support 1).
    case bilinear
    /// Keys cubic convolution with a = −0.5 (support 2): Pillow's BICUBIC and
    /// MATLAB's `imresize`, which super-resolution benchmarks use.
    case bicubic
    /// Box filter: the mean of the input pixels whose centres fall inside the
    /// output pixel (Pillow's BOX).
    case area
    /// Lanczos windowed sinc with three lobes (support 3).
    case lanczos

    /// Half-width of the filter at unit scale, in input pixels.
    var support: Double {
        switch self {
        case .nearest, .area: return 0.5
        case .bilinear: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The filter's value at `x` (Pillow's formulas, boundaries included).
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest, .area:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let t = abs(x)
            return t < 1 ? 1 - t : 0
        case .bicubic:
            let a = -0.5, t = abs(x)
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        case .lanczos:
            guard -3 <= x, x < 3 else { return 0 }
            return ResizeFilter.sinc(x) * ResizeFilter.sinc(x / 3)
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let t = x * Double.pi
        return sin(t) / t
    }
}

extension Image {
    /// The image resampled to `width × height` with `filter`; all planes alike,
    /// alpha included.
    ///
    /// With `antialias` (the default, and Pillow's only behaviour) the filter is
    /// stretched by the reduction factor when shrinking, so every input pixel
    /// contributes; without it, bilinear, bicubic and Lanczos sample at unit scale
    /// and alias, as PyTorch's `F.interpolate` does (Real-ESRGAN's resize).
    /// Nearest never filters and area always averages. Taps past the border are
    /// dropped and the rest renormalised, as in Pillow. The horizontal pass runs
    /// first, then the vertical; an axis whose size does not change is copied.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResizeFilter,
                        antialias: Bool = true) throws -> Image {
        guard newWidth >= 1, newHeight >= 1 else {
            throw RestoreError(.invalidArgument, "cannot resize to \(newWidth) × \(newHeight) pixels")
        }
        var out = try Image(width: newWidth, height: newHeight, layout: layout, encoding: encoding)
        let middle = newWidth * height, outPlane = newWidth * newHeight
        var temp = [Float](repeating: 0, count: middle)
        for c in 0 ..< layout.channelCount {
            let plane = Array(self.plane(c))
            temp.withUnsafeMutableBufferPointer { tmp in
                plane.withUnsafeBufferPointer { src in
                    Resampling.horizontal(src, tmp, inWidth: width, outWidth: newWidth, height: height,
                                          filter: filter, antialias: antialias)
                }
                out.samples.withUnsafeMutableBufferPointer { target in
                    let dst = UnsafeMutableBufferPointer(rebasing: target[c * outPlane ..< (c + 1) * outPlane])
                    Resampling.vertical(UnsafeBufferPointer(tmp), dst, width: newWidth, inHeight: height,
                                        outHeight: newHeight, filter: filter, antialias: antialias)
                }
            }
        }
        return out
    }

    /// The image resampled by `scale` on both axes (above 1 enlarges): the new
    /// sides are the old ones times `scale`, rounded to the nearest integer and at
    /// least 1; the sampling grid maps the old image onto the new one exactly,
    /// as `resized(width:height:)` does.
    public func resized(scale: Double, filter: ResizeFilter, antialias: Bool = true) throws -> Image {
        guard scale > 0, scale.isFinite else {
            throw RestoreError(.invalidArgument, "resize scale must be positive and finite, not \(scale)")
        }
        return try resized(width: Image.scaledSide(width, scale), height: Image.scaledSide(height, scale),
                           filter: filter, antialias: antialias)
    }

    /// `side × scale`, rounded to the nearest integer, at least 1.
    static func scaledSide(_ side: Int, _ scale: Double) -> Int {
        max(1, Int((Double(side) * scale).rounded()))
    }
}

/// One resampling axis at a time, from precomputed per-output-pixel taps.
enum Resampling {
    /// For each output index, the first input index and its weights (`stride`
    /// slots each, `counts[i]` of them used).
    struct Taps {
        var starts: [Int]
        var counts: [Int]
        var stride: Int
        var weights: [Float]
    }

    /// Pillow's `precompute_coeffs`: output pixel i is centred at (i + ½)·in/out
    /// in input coordinates; the filter is widened by in/out when shrinking
    /// (if `antialias`); taps outside the input are dropped and the rest
    /// normalised. Nearest uses `nearestIndices` instead.
    static func taps(inSize: Int, outSize: Int, filter: ResizeFilter, antialias: Bool) -> Taps {
        let scale = Double(inSize) / Double(outSize)
        let stretch = filter == .area || antialias ? max(scale, 1) : 1
        let support = filter.support * stretch
        let stride = Int(support.rounded(.up)) * 2 + 1
        var taps = Taps(starts: [], counts: [], stride: stride,
                        weights: [Float](repeating: 0, count: outSize * stride))
        taps.starts.reserveCapacity(outSize)
        taps.counts.reserveCapacity(outSize)
        var values = [Double](repeating: 0, count: stride)
        for i in 0 ..< outSize {
            let center = (Double(i) + 0.5) * scale
            // Pillow rounds with a C cast (toward zero) after adding ½.
            let first = max(0, Int(center - support + 0.5))
            let end = min(inSize, Int(center + support + 0.5))
            let count = max(0, end - first)
            var total = 0.0
            for t in 0 ..< count {
                values[t] = filter.weight((Double(first + t) - center + 0.5) / stretch)
                total += values[t]
            }
            for t in 0 ..< count {
                taps.weights[i * stride + t] = Float(total != 0 ? values[t] / total : values[t])
            }
            taps.starts.append(first)
            taps.counts.append(count)
        }
        return taps
    }

    /// Pillow's nearest-neighbour source indices: it steps the source coordinate
    /// by in/out from the first centre, and the running sum (not a product) is
    /// what decides ties, so it is reproduced as is.
    static func nearestIndices(inSize: Int, outSize: Int) -> [Int] {
        let step = Double(inSize) / Double(outSize)
        var position = step * 0.5
        var indices: [Int] = []
        indices.reserveCapacity(outSize)
        for _ in 0 ..< outSize {
            indices.append(min(inSize - 1, Int(position)))
            position += step
        }
        return indices
    }

    /// How one axis is resampled.
    enum Axis {
        /// The size does not change: a copy.
        case copy
        /// Nearest neighbour: the input index of each output index.
        case nearest([Int])
        /// Weighted sums of the input `Taps`.
        case filtered(Taps)

        init(inSize: Int, outSize: Int, filter: ResizeFilter, antialias: Bool) {
            if inSize == outSize {
                self = .copy
            } else if filter == .nearest {
                self = .nearest(Resampling.nearestIndices(inSize: inSize, outSize: outSize))
            } else {
                self = .filtered(Resampling.taps(inSize: inSize, outSize: outSize, filter: filter, antialias: antialias))
            }
        }
    }

    /// Resamples each row of `src` (`inWidth × height`) into `dst` (`outWidth × height`).
    static func horizontal(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                           inWidth: Int, outWidth: Int, height: Int,
                           filter: ResizeFilter, antialias: Bool) {
        switch Axis(inSize: inWidth, outSize: outWidth, filter: filter, antialias: antialias) {
        case .copy:
            _ = dst.update(fromContentsOf: src)
        case .nearest(let index):
            parallelFor(height) { y in
                let row = src.baseAddress! + y * inWidth, out = dst.baseAddress! + y * outWidth
                for x in 0 ..< outWidth { out[x] = row[index[x]] }
            }
        case .filtered(let taps):
            taps.weights.withUnsafeBufferPointer { weights in
                parallelFor(height) { y in
                    let row = src.baseAddress! + y * inWidth, out = dst.baseAddress! + y * outWidth
                    for x in 0 ..< outWidth {
                        let w = weights.baseAddress! + x * taps.stride, first = row + taps.starts[x]
                        var sum: Float = 0
                        for t in 0 ..< taps.counts[x] { sum += w[t] * first[t] }
                        out[x] = sum
                    }
                }
            }
        }
    }

    /// Resamples each column of `src` (`width × inHeight`) into `dst` (`width × outHeight`),
    /// a whole row at a time so the inner loop runs along contiguous memory.
    static func vertical(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                         width: Int, inHeight: Int, outHeight: Int,
                         filter: ResizeFilter, antialias: Bool) {
        switch Axis(inSize: inHeight, outSize: outHeight, filter: filter, antialias: antialias) {
        case .copy:
            _ = dst.update(fromContentsOf: src)
        case .nearest(let index):
            parallelFor(outHeight) { y in
                (dst.baseAddress! + y * width).update(from: src.baseAddress! + index[y] * width, count: width)
            }
        case .filtered(let taps):
            taps.weights.withUnsafeBufferPointer { weights in
                parallelFor(outHeight) { y in
                    let out = dst.baseAddress! + y * width
                    out.update(repeating: 0, count: width)
                    for t in 0 ..< taps.counts[y] {
                        let w = weights[y * taps.stride + t], row = src.baseAddress! + (taps.starts[y] + t) * width
                        for x in 0 ..< width { out[x] += w * row[x] }
                    }
                }
            }
        }
    }
}
