#if canImport(Glibc)
import Glibc
#endif

/// The width of a blurred step edge, from its profile across the edge.
///
/// A step blurred by a Gaussian of σ has the profile a + b·Φ(t/σ). The profile
/// is sampled every half pixel over ±6 pixels (Keys cubic interpolation) and
/// fitted for σ on a log-spaced grid, a and b by least squares at each σ. The
/// residual says whether the point was a clean step at all: lines, corners,
/// texture and neighbouring edges fit badly and are left out by the caller.
struct EdgeProfileFit {
    /// Sample positions across the edge, pixels.
    static let positions: [Double] = (0 ... 24).map { Double($0) * 0.5 - 6 }
    /// Candidate widths, pixels: 60 values log-spaced from 0.25 to 6.
    static let widths: [Double] = (0 ..< 60).map { 0.25 * pow(24, Double($0) / 59) }
    /// The ratio of neighbouring widths, as a logarithm.
    static let logStep = log(24.0) / 59

    /// The fit of one edge.
    struct Result {
        /// Best-fitting σ of the profile, pixels.
        var width: Double
        /// Step height |b|, in the plane's units.
        var contrast: Double
        /// Root-mean-square residual, in the plane's units.
        var residual: Double
    }

    /// Per candidate width: Φ(t/σ) at each position, and the inverse of the
    /// normal equations of the design [1, Φ].
    private let designs: [(phi: [Double], inverse: (Double, Double, Double))]

    init() {
        let n = Double(Self.positions.count)
        designs = Self.widths.map { s in
            let phi = Self.positions.map { 0.5 * erfc(-$0 / (s * 2.0.squareRoot())) }
            let sum = phi.reduce(0, +), squares = phi.reduce(0) { $0 + $1 * $1 }
            let det = n * squares - sum * sum
            return (phi, (squares / det, -sum / det, n / det))
        }
    }

    /// Fits the profile of `plane` (`width × height`) across `point`.
    func fit(_ plane: UnsafeBufferPointer<Float>, width: Int, height: Int, at point: EdgePoints.Point) -> Result {
        let cx = Double(point.x) + Double(point.offset * point.nx)
        let cy = Double(point.y) + Double(point.offset * point.ny)
        let profile = Self.positions.map { t in
            Self.cubic(plane, width, height, cx + t * Double(point.nx), cy + t * Double(point.ny))
        }
        let sum = profile.reduce(0, +), squares = profile.reduce(0) { $0 + $1 * $1 }
        var rss = [Double](repeating: 0, count: designs.count)
        var contrast = [Double](repeating: 0, count: designs.count)
        for (index, design) in designs.enumerated() {
            var cross = 0.0
            for i in 0 ..< profile.count { cross += profile[i] * design.phi[i] }
            let (m00, m01, m11) = design.inverse
            let a = m00 * sum + m01 * cross, b = m01 * sum + m11 * cross
            rss[index] = squares - a * sum - b * cross
            contrast[index] = abs(b)
        }
        let best = rss.indices.min { rss[$0] < rss[$1] }!
        // Between grid widths: the vertex of the parabola through the three
        // residuals around the best, in log width.
        var width = Self.widths[best]
        if best > 0, best < rss.count - 1 {
            let (l, c, r) = (rss[best - 1], rss[best], rss[best + 1])
            let curvature = l - 2 * c + r
            if curvature > 0 {
                width *= exp(max(-0.5, min(0.5, 0.5 * (l - r) / curvature)) * Self.logStep)
            }
        }
        return Result(width: width, contrast: contrast[best],
                      residual: (max(rss[best], 0) / Double(profile.count)).squareRoot())
    }

    /// Keys cubic (a = −½) interpolation of `plane` at (x, y), edges clamped.
    private static func cubic(_ plane: UnsafeBufferPointer<Float>, _ width: Int, _ height: Int,
                              _ x: Double, _ y: Double) -> Double {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let wx = weights(x - Double(x0)), wy = weights(y - Double(y0))
        var value = 0.0
        for j in 0 ..< 4 {
            let row = min(max(y0 - 1 + j, 0), height - 1) * width
            var line = 0.0
            for i in 0 ..< 4 {
                line += wx[i] * Double(plane[row + min(max(x0 - 1 + i, 0), width - 1)])
            }
            value += wy[j] * line
        }
        return value
    }

    /// The four Keys weights for taps −1, 0, 1, 2 at fraction `f`.
    private static func weights(_ f: Double) -> SIMD4<Double> {
        func k(_ d: Double) -> Double {
            let t = abs(d)
            if t <= 1 { return (1.5 * t - 2.5) * t * t + 1 }
            if t < 2 { return ((-0.5 * t + 2.5) * t - 4) * t + 2 }
            return 0
        }
        return SIMD4(k(1 + f), k(f), k(1 - f), k(2 - f))
    }
}
