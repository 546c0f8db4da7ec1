/// The orthonormal opponent colour transform of CBM3D: luminance
/// Y = (R + G + B)/√3 and chrominances U = (R − B)/√2, V = (R − 2G + B)/√6.
///
/// Most image structure lives in Y, whose noise is the same white noise of σ as
/// in RGB (the matrix is orthonormal), so grouping is decided on Y alone and the
/// same groups are used for U and V, whose noise is also σ. The inverse is the
/// transpose.
enum OpponentColor {
    static let a = Float(1 / 3.0.squareRoot())
    static let b = Float(1 / 2.0.squareRoot())
    static let c = Float(1 / 6.0.squareRoot())

    /// RGB planes to Y, U, V planes (three planes of `count` samples each).
    static func forward(_ rgb: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>, count: Int) {
        for i in 0 ..< count {
            let r = rgb[i], g = rgb[count + i], bl = rgb[2 * count + i]
            out[i] = (r + g + bl) * a
            out[count + i] = (r - bl) * b
            out[2 * count + i] = (r - 2 * g + bl) * c
        }
    }

    /// Y, U, V planes back to RGB planes.
    static func inverse(_ yuv: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>, count: Int) {
        for i in 0 ..< count {
            let y = yuv[i] * a, u = yuv[count + i] * b, v = yuv[2 * count + i] * c
            out[i] = y + u + v
            out[count + i] = y - 2 * v
            out[2 * count + i] = y - u + v
        }
    }
}
