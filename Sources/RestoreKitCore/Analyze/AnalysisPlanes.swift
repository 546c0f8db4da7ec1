/// The planes the estimators read, computed once per analysis from an
/// sRGB-encoded image's colour channels.
struct AnalysisPlanes {
    let width: Int
    let height: Int
    /// The colour channels, planar (1 or 3 planes), samples clamped to [0, 1]
    /// (a float host's out-of-range values would take the estimators' models,
    /// made for photographs, beyond their range).
    let color: [Float]
    /// Number of colour channels.
    let channels: Int
    /// JPEG's luma Y = 0.299 R + 0.587 G + 0.114 B (JFIF), on libjpeg's
    /// 0–255 scale, so DCT coefficients divided by quantisation steps give
    /// levels; the gray plane × 255 for gray images.
    let luma255: [Float]

    init(_ image: Image) {
        let colorOnly = image.converted(to: .sRGB).colorOnly
        width = colorOnly.width
        height = colorOnly.height
        channels = colorOnly.layout.colorChannelCount
        let samples = colorOnly.samples.map { min(max($0, 0), 1) }, channels = self.channels
        color = samples
        let n = width * height
        var luma = [Float](repeating: 0, count: n)
        samples.withUnsafeBufferPointer { c in
            if channels == 3 {
                for i in 0 ..< n { luma[i] = 255 * (0.299 * c[i] + 0.587 * c[n + i] + 0.114 * c[2 * n + i]) }
            } else {
                for i in 0 ..< n { luma[i] = 255 * c[i] }
            }
        }
        luma255 = luma
    }

    /// Planes whose noise is the per-channel noise σ when the channels'
    /// noise is independent: an orthonormal opponent transform of RGB (sum,
    /// red–green, yellow–blue), which keeps white noise white and its variance
    /// per plane, while moving most texture into the first plane so the other
    /// two show the noise against flatter ground. Gray images: the plane.
    func opponent() -> [Float] {
        guard channels == 3 else { return color }
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        let a = Float(1 / 3.0.squareRoot()), b = Float(1 / 2.0.squareRoot()), c = Float(1 / 6.0.squareRoot())
        color.withUnsafeBufferPointer { s in
            for i in 0 ..< n {
                let r = s[i], g = s[n + i], bl = s[2 * n + i]
                out[i] = a * (r + g + bl)
                out[n + i] = b * (r - g)
                out[2 * n + i] = c * (r + g - 2 * bl)
            }
        }
        return out
    }
}
