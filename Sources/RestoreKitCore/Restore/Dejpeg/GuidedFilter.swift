/// The guided filter (He, Sun and Tang): `input` explained locally as a linear
/// function a·guide + b of the guide, fitted in every (2r+1)² window by ridge
/// regression with penalty `epsilon`, the fits averaged over the windows that
/// cover each pixel. Edges of the guide carry over to the output wherever the
/// input follows the guide; elsewhere it smooths.
enum GuidedFilter {
    /// `input` filtered with `guide` (same size) over windows of `radius`;
    /// a sample depends on those within 2·`radius` of it.
    static func apply(_ input: JPEGPlane, guide: JPEGPlane, radius: Int, epsilon: Float) -> JPEGPlane {
        let n = input.samples.count
        var ip = [Float](repeating: 0, count: n), ii = ip
        for i in 0 ..< n {
            ip[i] = input.samples[i] * guide.samples[i]
            ii[i] = guide.samples[i] * guide.samples[i]
        }
        let (w, h) = (input.width, input.height)
        let meanI = boxMean(guide.samples, w, h, radius), meanP = boxMean(input.samples, w, h, radius)
        let meanIP = boxMean(ip, w, h, radius), meanII = boxMean(ii, w, h, radius)
        var a = ip, b = ip
        for i in 0 ..< n {
            let variance = meanII[i] - meanI[i] * meanI[i]
            a[i] = (meanIP[i] - meanI[i] * meanP[i]) / (variance + epsilon)
            b[i] = meanP[i] - a[i] * meanI[i]
        }
        let meanA = boxMean(a, w, h, radius), meanB = boxMean(b, w, h, radius)
        var out = JPEGPlane(width: w, height: h)
        for i in 0 ..< n { out.samples[i] = meanA[i] * guide.samples[i] + meanB[i] }
        return out
    }

    /// The mean over the (2r+1)² window around each sample, the window cut at
    /// the plane's edges.
    static func boxMean(_ values: [Float], _ w: Int, _ h: Int, _ r: Int) -> [Float] {
        var rows = values
        for y in 0 ..< h {
            for x in 0 ..< w {
                var sum: Float = 0
                let lo = max(0, x - r), hi = min(w - 1, x + r)
                for k in lo ... hi { sum += values[y * w + k] }
                rows[y * w + x] = sum / Float(hi - lo + 1)
            }
        }
        var out = rows
        for y in 0 ..< h {
            let lo = max(0, y - r), hi = min(h - 1, y + r)
            for x in 0 ..< w {
                var sum: Float = 0
                for k in lo ... hi { sum += rows[k * w + x] }
                out[y * w + x] = sum / Float(hi - lo + 1)
            }
        }
        return out
    }
}
