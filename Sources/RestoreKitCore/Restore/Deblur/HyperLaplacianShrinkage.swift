#if canImport(Glibc)
import Glibc
#endif

/// The proximal step of the hyper-Laplacian gradient prior |g|^(2/3):
/// w = argmin |w|^(2/3) + β/2 (w − v)², the "w-step" of Krishnan and Fergus's
/// half-quadratic splitting ("Fast image deconvolution using hyper-Laplacian
/// priors", NIPS 2009).
///
/// Substituting w = c·u, v = c·t with c = β^(−1/(2−α)) turns the problem into
/// u = argmin |u|^α + ½(u − t)², independent of β; that one function is
/// tabulated once (Newton's method in double precision) and interpolated.
/// It is zero up to a threshold and then approaches u = t − α·t^(α−1).
enum HyperLaplacianShrinkage {
    /// The exponent α of the prior: 2/3, the heavy-tailed fit to natural-image
    /// gradients that Krishnan and Fergus recommend (and solve in closed form).
    static let alpha = 2.0 / 3.0

    /// Table resolution: samples per unit of t.
    private static let resolution = 128
    /// Beyond this t the table gives way to the asymptotic form.
    private static let tableEnd = 32

    /// g(t) for t = 0, 1/resolution, …, tableEnd (plus one guard entry).
    private static let table: [Float] = {
        let count = tableEnd * resolution + 2
        return (0 ..< count).map { Float(solve(Double($0) / Double(resolution))) }
    }()

    /// argmin over u ≥ 0 of u^α + ½(u − t)² for t ≥ 0.
    private static func solve(_ t: Double) -> Double {
        guard t > 0 else { return 0 }
        // The stationarity condition f(u) = α u^(α−1) + u − t = 0 is convex in
        // u, so Newton from u = t descends monotonically onto the larger root:
        // the local minimum, when there is one.
        var u = t
        for _ in 0 ..< 60 {
            let f = alpha * pow(u, alpha - 1) + u - t
            let slope = alpha * (alpha - 1) * pow(u, alpha - 2) + 1
            guard slope > 0 else { return 0 }   // no minimum left of here: 0 wins
            let next = u - f / slope
            if next <= 0 { return 0 }
            if abs(next - u) < 1e-14 * t { u = next; break }
            u = next
        }
        let atMinimum = pow(u, alpha) + 0.5 * (u - t) * (u - t)
        return atMinimum < 0.5 * t * t ? u : 0
    }

    /// Shrinks `count` values of `v` into `w` for the splitting weight `beta`.
    static func apply(_ v: UnsafePointer<Float>, _ w: UnsafeMutablePointer<Float>, count: Int, beta: Double) {
        let c = Float(pow(beta, -1 / (2 - alpha)))
        let toTable = Float(resolution) / c
        let end = Float(tableEnd * resolution)
        let third: Float = 2.0 / 3.0
        table.withUnsafeBufferPointer { g in
            for i in 0 ..< count {
                let x = v[i]
                let position = abs(x) * toTable
                var u: Float
                if position < end {
                    let j = Int(position)
                    let f = position - Float(j)
                    u = g[j] + f * (g[j + 1] - g[j])
                } else {
                    // u = t − α·u^(α−1), two fixed-point steps from u = t.
                    let t = position / Float(resolution)
                    u = t - third / cbrtf(t)
                    u = t - third / cbrtf(u)
                }
                w[i] = x < 0 ? -u * c : u * c
            }
        }
    }
}
