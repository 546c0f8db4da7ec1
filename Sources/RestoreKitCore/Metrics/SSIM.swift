#if canImport(Glibc)
import Glibc
#endif

/// Mean structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004) with
/// their constants: an 11 × 11 Gaussian window of σ 1.5, K1 0.01, K2 0.03, data
/// range 1, population (not sample) covariances.
///
/// Reproduces scikit-image's `structural_similarity(reference, image,
/// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1)`:
/// the local statistics are Gaussian-filtered (scipy's `gaussian_filter`,
/// truncate 3.5, so radius 5), the SSIM map loses 5 pixels along each border, and
/// the rest is averaged. With `.color`, the result is the mean over channels
/// (`channel_axis`). Sums are in Double.
public enum SSIM {
    /// The window's radius: `int(3.5 σ + 0.5)`, scipy's rule with skimage's truncate 3.5.
    static let radius = 5
    /// The window's side, 11: also the least width and height SSIM accepts.
    static let windowSize = 2 * radius + 1

    /// The normalised 1-D Gaussian of σ 1.5 over −5…5, as scipy builds it; taps
    /// 0…5 (it is symmetric).
    static let taps: [Double] = {
        let sigma = 1.5
        let weights = (-radius ... radius).map { x in exp(-0.5 / (sigma * sigma) * Double(x * x)) }
        let sum = weights.reduce(0, +)
        return weights[radius...].map { $0 / sum }
    }()

    /// The SSIM of `image` against `reference`, on `channels`, ignoring `crop`
    /// pixels along each border (before the 5-pixel margin SSIM drops itself).
    ///
    /// Throws `RestoreError(.invalidArgument)` when the sizes, colour channels or
    /// encodings differ, the crop is negative, or less than 11 × 11 pixels remain.
    public static func measure(_ image: Image, reference: Image,
                               channels: MetricChannels = .color, crop: Int = 0) throws -> Double {
        let planes = try MetricPlanes(image: image, reference: reference, channels: channels, crop: crop)
        guard planes.width >= windowSize, planes.height >= windowSize else {
            throw RestoreError(.invalidArgument,
                "SSIM needs at least \(windowSize) × \(windowSize) pixels"
                    + (crop > 0 ? " after the border crop" : "")
                    + "; \(planes.width) × \(planes.height) are left")
        }
        var total = 0.0
        for (x, y) in zip(planes.reference, planes.image) {
            total += meanSSIM(x, y, width: planes.width, height: planes.height)
        }
        return total / Double(planes.reference.count)
    }

    /// The mean of one channel's SSIM map, without its `radius`-pixel border.
    ///
    /// Every kept pixel's window lies inside the plane, so the border mode of the
    /// filter (skimage's 'reflect') never matters and no padding is built. Like
    /// scipy, each statistic is filtered down the columns first, then along the
    /// rows, with symmetric taps added farthest first. Bands of rows run in parallel;
    /// each reuses five row buffers.
    static func meanSSIM(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double {
        let outWidth = width - 2 * radius, outHeight = height - 2 * radius
        let bandRows = 16
        let bands = (outHeight + bandRows - 1) / bandRows
        var bandSums = [Double](repeating: 0, count: bands)
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
        taps.withUnsafeBufferPointer { w in
        bandSums.withUnsafeMutableBufferPointer { bandSums in
            parallelFor(bands) { band in
                // Column-filtered mean of x, y, x², y², xy for the current row.
                var columns = [Double](repeating: 0, count: 5 * width)
                var sum = 0.0
                columns.withUnsafeMutableBufferPointer { columns in
                    let mx = columns.baseAddress!, my = mx + width
                    let mxx = my + width, myy = mxx + width, mxy = myy + width
                    let firstRow = radius + band * bandRows
                    for row in firstRow ..< min(firstRow + bandRows, radius + outHeight) {
                        let centre = row * width
                        for i in 0 ..< width {
                            let a = x[centre + i], b = y[centre + i]
                            mx[i] = a * w[0]; my[i] = b * w[0]
                            mxx[i] = a * a * w[0]; myy[i] = b * b * w[0]; mxy[i] = a * b * w[0]
                        }
                        for k in stride(from: radius, through: 1, by: -1) {
                            let above = centre - k * width, below = centre + k * width, wk = w[k]
                            for i in 0 ..< width {
                                let a0 = x[above + i], a1 = x[below + i]
                                let b0 = y[above + i], b1 = y[below + i]
                                mx[i] += (a0 + a1) * wk
                                my[i] += (b0 + b1) * wk
                                mxx[i] += (a0 * a0 + a1 * a1) * wk
                                myy[i] += (b0 * b0 + b1 * b1) * wk
                                mxy[i] += (a0 * b0 + a1 * b1) * wk
                            }
                        }
                        for i in radius ..< radius + outWidth {
                            var ux = mx[i] * w[0], uy = my[i] * w[0]
                            var uxx = mxx[i] * w[0], uyy = myy[i] * w[0], uxy = mxy[i] * w[0]
                            for k in stride(from: radius, through: 1, by: -1) {
                                let wk = w[k]
                                ux += (mx[i - k] + mx[i + k]) * wk
                                uy += (my[i - k] + my[i + k]) * wk
                                uxx += (mxx[i - k] + mxx[i + k]) * wk
                                uyy += (myy[i - k] + myy[i + k]) * wk
                                uxy += (mxy[i - k] + mxy[i + k]) * wk
                            }
                            let vx = uxx - ux * ux, vy = uyy - uy * uy, vxy = uxy - ux * uy
                            sum += ((2 * ux * uy + c1) * (2 * vxy + c2))
                                / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
                        }
                    }
                }
                bandSums[band] = sum
            }
        }
        }
        }
        }
        return bandSums.reduce(0, +) / Double(outWidth * outHeight)
    }
}
