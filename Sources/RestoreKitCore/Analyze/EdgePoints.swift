#if canImport(Glibc)
import Glibc
#endif

/// The strongest edge points of a plane: local maxima of the gradient
/// magnitude across the edge, each with its direction and sub-pixel centre.
struct EdgePoints {
    /// One edge point.
    struct Point {
        /// The pixel.
        var x: Int, y: Int
        /// Unit vector across the edge (along the gradient).
        var nx: Float, ny: Float
        /// Where along (nx, ny) the gradient peaks, in pixels from the pixel
        /// centre (−0.5…0.5): a Gaussian profile's peak from the parabola
        /// through the log-magnitudes at −1, 0 and +1.
        var offset: Float
        /// Gradient magnitude at the pixel.
        var strength: Float
    }

    /// Scale of the Gaussian derivative filters, pixels.
    static let derivativeScale = 1.0
    /// Noise σ of a derivative filter's output per unit of white noise σ:
    /// ‖∂G/∂x‖₂ = 1 / (2√(2π) s²) for scale s.
    static let derivativeNoiseGain = 1 / (2 * (2 * Double.pi).squareRoot() * derivativeScale * derivativeScale)
    /// Pixels left out at each side, so profiles stay inside the plane.
    static let border = 8

    /// The points.
    var points: [Point]

    /// The `limit` strongest gradient maxima of `plane` (`width × height`)
    /// that rank in the top `share` of all maxima and exceed `minimumStrength`.
    init(_ plane: [Float], width: Int, height: Int, share: Double, minimumStrength: Float, limit: Int) {
        points = []
        guard width > 2 * Self.border + 2, height > 2 * Self.border + 2 else { return }
        let (gx, gy) = Self.gradients(plane, width: width, height: height)
        var magnitude = [Float](repeating: 0, count: width * height)
        for i in 0 ..< magnitude.count { magnitude[i] = (gx[i] * gx[i] + gy[i] * gy[i]).squareRoot() }
        // Gradient maxima across the edge (non-maximum suppression).
        var maxima: [(index: Int, strength: Float)] = []
        magnitude.withUnsafeBufferPointer { m in
            for y in Self.border ..< height - Self.border {
                for x in Self.border ..< width - Self.border {
                    let i = y * width + x
                    let g = m[i]
                    guard g > 0 else { continue }
                    let nx = gx[i] / g, ny = gy[i] / g
                    guard g >= Self.bilinear(m, width, Float(x) + nx, Float(y) + ny),
                          g > Self.bilinear(m, width, Float(x) - nx, Float(y) - ny) else { continue }
                    maxima.append((i, g))
                }
            }
        }
        guard !maxima.isEmpty else { return }
        // The strongest `share` of them, at most `limit`, strongest first.
        let strengths = maxima.map(\.strength).sorted(by: >)
        let count = min(limit, max(1, Int(Double(maxima.count) * share)))
        let cut = max(strengths[count - 1], minimumStrength)
        let chosen = maxima.filter { $0.strength >= cut }.sorted { $0.strength > $1.strength }.prefix(count)
        points = magnitude.withUnsafeBufferPointer { m in
            chosen.map { candidate in
                let (i, g) = candidate
                let x = i % width, y = i / width
                let nx = gx[i] / g, ny = gy[i] / g
                // Gaussian peak: log g is a parabola across the edge.
                let l0 = log(g)
                let lp = log(max(Self.bilinear(m, width, Float(x) + nx, Float(y) + ny), 1e-30))
                let lm = log(max(Self.bilinear(m, width, Float(x) - nx, Float(y) - ny), 1e-30))
                let curvature = lp + lm - 2 * l0
                let offset = curvature < 0 ? max(-0.5, min(0.5, 0.5 * (lm - lp) / curvature)) : 0
                return Point(x: x, y: y, nx: nx, ny: ny, offset: offset, strength: g)
            }
        }
    }

    /// Horizontal and vertical Gaussian-derivative filter outputs.
    private static func gradients(_ plane: [Float], width: Int, height: Int) -> ([Float], [Float]) {
        let s = derivativeScale, radius = Int((4 * s).rounded(.up))
        let taps = (-radius ... radius).map { Double($0) }
        let gauss = taps.map { exp(-$0 * $0 / (2 * s * s)) }
        let gaussSum = gauss.reduce(0, +)
        let smooth = gauss.map { Float($0 / gaussSum) }
        // Derivative taps scaled so a unit ramp gives exactly 1.
        let raw = zip(taps, gauss).map { -$0 * $1 }
        let ramp = zip(taps, raw).reduce(0) { $0 - $1.0 * $1.1 }
        let derivative = raw.map { Float($0 / ramp) }
        var gx = [Float](repeating: 0, count: plane.count), gy = gx
        plane.withUnsafeBufferPointer { src in
            gx.withUnsafeMutableBufferPointer {
                Convolution.separable(src, $0, width: width, height: height, horizontal: derivative, vertical: smooth)
            }
            gy.withUnsafeMutableBufferPointer {
                Convolution.separable(src, $0, width: width, height: height, horizontal: smooth, vertical: derivative)
            }
        }
        return (gx, gy)
    }

    /// Bilinear sample of `m` at (x, y), which must lie inside the plane.
    static func bilinear(_ m: UnsafeBufferPointer<Float>, _ width: Int, _ x: Float, _ y: Float) -> Float {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let fx = x - Float(x0), fy = y - Float(y0)
        let i = y0 * width + x0
        let top = m[i] + fx * (m[i + 1] - m[i])
        let bottom = m[i + width] + fx * (m[i + width + 1] - m[i + width])
        return top + fy * (bottom - top)
    }
}
