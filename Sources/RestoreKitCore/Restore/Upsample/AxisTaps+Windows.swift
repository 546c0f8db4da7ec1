extension AxisTaps {
    /// The map applied along each row of `source`, for output columns `outputs`
    /// (image coordinates): a window with `source`'s rows and those columns.
    ///
    /// Taps that fall outside `source` read its nearest edge sample. That is
    /// only wrong where the window is not the whole image, and the caller's
    /// halo keeps such samples away from the pixels it returns.
    func alongRows(_ source: WindowPlane, outputs: Range<Int>, context: RestorationContext,
                   from: Double, to: Double) throws -> WindowPlane {
        let sourceX = source.rect.x, sourceWidth = source.rect.width
        var lowest = 0, end = sourceWidth
        for o in outputs {
            lowest = min(lowest, first[o] - sourceX)
            end = max(end, first[o] - sourceX + stride)
        }
        // Each row is copied into a padded line in which every tap is in range.
        let padLeft = -lowest, paddedWidth = end + padLeft
        let starts = outputs.map { first[$0] - sourceX + padLeft }
        let lineIndex = (0 ..< paddedWidth).map { min(max($0 - padLeft, 0), sourceWidth - 1) }
        var result = WindowPlane(zeros: Rect(x: outputs.lowerBound, y: source.rect.y,
                                             width: outputs.count, height: source.rect.height))
        let outWidth = outputs.count, stride = self.stride, firstOutput = outputs.lowerBound
        try source.values.withUnsafeBufferPointer { src in
            try weights.withUnsafeBufferPointer { weights in
                try result.values.withUnsafeMutableBufferPointer { dst in
                    try ParallelWork.rows(source.rect.height, context: context, from: from, to: to) { rows in
                        var line = [Float](repeating: 0, count: paddedWidth)
                        line.withUnsafeMutableBufferPointer { line in
                            for y in rows {
                                let row = src.baseAddress! + y * sourceWidth
                                for p in 0 ..< paddedWidth { line[p] = row[lineIndex[p]] }
                                let out = dst.baseAddress! + y * outWidth
                                for o in 0 ..< outWidth {
                                    let w = weights.baseAddress! + (firstOutput + o) * stride
                                    let tap = line.baseAddress! + starts[o]
                                    var sum: Float = 0
                                    for t in 0 ..< stride { sum += w[t] * tap[t] }
                                    out[o] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The map applied down each column of `source`, for output rows `outputs`
    /// (image coordinates), times `scale`, stored in `target` (or added to it
    /// when `accumulate`). `target` has those rows and `source`'s columns.
    /// Taps outside `source` read its nearest edge row, as in `alongRows`.
    func downColumns(_ source: WindowPlane, into target: inout WindowPlane, scale: Float, accumulate: Bool,
                     context: RestorationContext, from: Double, to: Double) throws {
        precondition(target.rect.x == source.rect.x && target.rect.width == source.rect.width,
                     "column pass between windows of different columns")
        let width = source.rect.width, sourceY = source.rect.y, sourceHeight = source.rect.height
        let firstOutput = target.rect.y, stride = self.stride
        try source.values.withUnsafeBufferPointer { src in
            try weights.withUnsafeBufferPointer { weights in
                try target.values.withUnsafeMutableBufferPointer { dst in
                    try ParallelWork.rows(target.rect.height, context: context, from: from, to: to) { rows in
                        for r in rows {
                            let o = firstOutput + r
                            let out = dst.baseAddress! + r * width
                            if !accumulate { out.update(repeating: 0, count: width) }
                            for t in 0 ..< stride {
                                let w = scale * weights[o * stride + t]
                                if w == 0 { continue }
                                let y = min(max(first[o] + t - sourceY, 0), sourceHeight - 1)
                                let row = src.baseAddress! + y * width
                                for x in 0 ..< width { out[x] += w * row[x] }
                            }
                        }
                    }
                }
            }
        }
    }
}
