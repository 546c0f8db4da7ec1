/// The colour transform of JPEG (JFIF): full-range BT.601 YCbCr on the
/// 0–255 scale, chroma centred on 128, in float.
enum JFIFColor {
    /// The Y, Cb and Cr planes of the RGB `image` (samples in [0, 1]).
    static func planes(of image: Image) -> (y: JPEGPlane, cb: JPEGPlane, cr: JPEGPlane) {
        let n = image.planeCount
        var y = [Float](repeating: 0, count: n), cb = y, cr = y
        image.samples.withUnsafeBufferPointer { s in
            for i in 0 ..< n {
                let r = s[i] * 255, g = s[n + i] * 255, b = s[2 * n + i] * 255
                y[i] = 0.299 * r + 0.587 * g + 0.114 * b
                cb[i] = -0.168_735_89 * r - 0.331_264_11 * g + 0.5 * b + 128
                cr[i] = 0.5 * r - 0.418_687_59 * g - 0.081_312_41 * b + 128
            }
        }
        let (w, h) = (image.width, image.height)
        return (JPEGPlane(width: w, height: h, samples: y), JPEGPlane(width: w, height: h, samples: cb),
                JPEGPlane(width: w, height: h, samples: cr))
    }

    /// RGB samples in [0, 1], planar, from full-size Y, Cb and Cr planes.
    static func rgbSamples(y: JPEGPlane, cb: JPEGPlane, cr: JPEGPlane) -> [Float] {
        let n = y.samples.count
        var out = [Float](repeating: 0, count: 3 * n)
        out.withUnsafeMutableBufferPointer { o in
            for i in 0 ..< n {
                let l = y.samples[i], u = cb.samples[i] - 128, v = cr.samples[i] - 128
                o[i] = unit(l + 1.402 * v)
                o[n + i] = unit(l - 0.344_136_29 * u - 0.714_136_29 * v)
                o[2 * n + i] = unit(l + 1.772 * u)
            }
        }
        return out
    }

    /// A 0–255 value as a sample in [0, 1].
    @inline(__always)
    static func unit(_ value: Float) -> Float {
        min(1, max(0, value / 255))
    }
}
