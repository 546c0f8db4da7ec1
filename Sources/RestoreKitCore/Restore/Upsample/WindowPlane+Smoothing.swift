extension WindowPlane {
    /// One gradient step of `amount` on ½‖∇x‖² (forward differences): each
    /// sample moves toward its four neighbours, x − amount · (4x − Σ neighbours).
    ///
    /// This is the Tikhonov term that keeps back-projection from fitting the
    /// noise of a noisy observation: the data term alone would restore the
    /// noise's high frequencies as if they were detail. Edges of the window
    /// repeat the edge sample (only wrong inside the halo when the window is
    /// not the whole image).
    func smoothed(by amount: Float, context: RestorationContext, from: Double, to: Double) throws -> WindowPlane {
        let width = rect.width, height = rect.height
        var result = WindowPlane(zeros: rect)
        try values.withUnsafeBufferPointer { src in
            try result.values.withUnsafeMutableBufferPointer { dst in
                try ParallelWork.rows(height, context: context, from: from, to: to) { rows in
                    for y in rows {
                        let row = src.baseAddress! + y * width
                        let above = src.baseAddress! + max(y - 1, 0) * width
                        let below = src.baseAddress! + min(y + 1, height - 1) * width
                        let out = dst.baseAddress! + y * width
                        for x in 0 ..< width {
                            let left = row[max(x - 1, 0)], right = row[min(x + 1, width - 1)]
                            let v = row[x]
                            out[x] = v - amount * (4 * v - left - right - above[x] - below[x])
                        }
                    }
                }
            }
        }
        return result
    }
}
