/// An orthonormal luminance / opponent-colour basis for RGB:
/// Y = (R + G + B)/√3, U = (R − B)/√2, V = (R − 2G + B)/√6.
///
/// The blur acts on every channel alike, so it commutes with any fixed colour
/// transform; an orthonormal one also keeps white noise white with the same σ.
/// Natural images put nearly all their detail in Y, so the deconvolution can
/// regularise U and V much harder, suppressing colour noise at no cost in
/// sharpness.
enum OpponentBasis {
    private static let r3: Float = 0.577_350_269_189_625_8   // 1/√3
    private static let r2: Float = 0.707_106_781_186_547_5   // 1/√2
    private static let r6: Float = 0.408_248_290_463_863_0   // 1/√6

    /// Converts three planes of `count` samples from RGB to Y, U, V in place.
    static func forward(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
                        _ c: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let (r, g, bl) = (a[i], b[i], c[i])
            a[i] = (r + g + bl) * r3
            b[i] = (r - bl) * r2
            c[i] = (r - 2 * g + bl) * r6
        }
    }

    /// Converts three planes of `count` samples from Y, U, V back to RGB in place
    /// (the transpose, as the basis is orthonormal).
    static func inverse(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
                        _ c: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let (y, u, v) = (a[i], b[i], c[i])
            a[i] = y * r3 + u * r2 + v * r6
            b[i] = y * r3 - 2 * v * r6
            c[i] = y * r3 - u * r2 + v * r6
        }
    }
}
