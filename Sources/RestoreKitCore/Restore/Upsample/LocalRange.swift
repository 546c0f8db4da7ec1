/// The range of the observed samples around each observed pixel: the minimum
/// and maximum over a `(2 radius + 1)²` neighbourhood.
///
/// A downscale averages; it cannot create values outside those of the scene
/// it averages. So a restored pixel that leaves the range of the observed
/// pixels around it is interpolation overshoot (ringing at edges), and
/// clamping it there before each back-projection step removes the ringing
/// that back-projection would otherwise sharpen along with the edge.
struct LocalRange: Sendable {
    /// The window the range was taken over (that of the observed samples).
    let rect: Rect
    /// Minimum per observed pixel, row by row.
    let lower: [Float]
    /// Maximum per observed pixel, row by row.
    let upper: [Float]

    /// The range of `low` over neighbourhoods of `radius`. Neighbourhoods
    /// are cut at the window's edges (only wrong where the window is not the
    /// whole image, inside the halo).
    init(of low: WindowPlane, radius: Int, context: RestorationContext, from: Double, to: Double) throws {
        rect = low.rect
        let width = rect.width, height = rect.height
        var rowMin = [Float](repeating: 0, count: width * height), rowMax = rowMin
        var lower = rowMin, upper = rowMax
        let middle = (from + to) / 2
        // Along rows, then down columns: a (2r + 1)² box is the product of two 1-D ranges.
        try low.values.withUnsafeBufferPointer { src in
            try rowMin.withUnsafeMutableBufferPointer { rowMin in
                try rowMax.withUnsafeMutableBufferPointer { rowMax in
                    try ParallelWork.rows(height, context: context, from: from, to: middle) { rows in
                        for y in rows {
                            for x in 0 ..< width {
                                var lo = Float.infinity, hi = -Float.infinity
                                for u in max(0, x - radius) ... min(width - 1, x + radius) {
                                    lo = min(lo, src[y * width + u])
                                    hi = max(hi, src[y * width + u])
                                }
                                rowMin[y * width + x] = lo
                                rowMax[y * width + x] = hi
                            }
                        }
                    }
                }
            }
        }
        try rowMin.withUnsafeBufferPointer { rowMin in
            try rowMax.withUnsafeBufferPointer { rowMax in
                try lower.withUnsafeMutableBufferPointer { lower in
                    try upper.withUnsafeMutableBufferPointer { upper in
                        try ParallelWork.rows(height, context: context, from: middle, to: to) { rows in
                            for y in rows {
                                let out = y * width
                                for x in 0 ..< width {
                                    lower[out + x] = rowMin[out + x]
                                    upper[out + x] = rowMax[out + x]
                                }
                                for v in max(0, y - radius) ... min(height - 1, y + radius) where v != y {
                                    let row = v * width
                                    for x in 0 ..< width {
                                        lower[out + x] = min(lower[out + x], rowMin[row + x])
                                        upper[out + x] = max(upper[out + x], rowMax[row + x])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.lower = lower
        self.upper = upper
    }

    /// Clamps each sample of `high` into the range of the observed pixel that
    /// holds its centre (`nearestX`, `nearestY`: image coordinates, per image
    /// column and row).
    func clamp(_ high: inout WindowPlane, nearestX: [Int], nearestY: [Int],
               context: RestorationContext, from: Double, to: Double) throws {
        let hr = high.rect, lr = rect
        let column = (hr.x ..< hr.maxX).map { min(max(nearestX[$0] - lr.x, 0), lr.width - 1) }
        try lower.withUnsafeBufferPointer { lower in
            try upper.withUnsafeBufferPointer { upper in
                try high.values.withUnsafeMutableBufferPointer { values in
                    try ParallelWork.rows(hr.height, context: context, from: from, to: to) { rows in
                        for r in rows {
                            let lowRow = min(max(nearestY[hr.y + r] - lr.y, 0), lr.height - 1) * lr.width
                            let out = values.baseAddress! + r * hr.width
                            for x in 0 ..< hr.width {
                                let i = lowRow + column[x]
                                out[x] = min(max(out[x], lower[i]), upper[i])
                            }
                        }
                    }
                }
            }
        }
    }
}
