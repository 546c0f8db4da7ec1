/// Iterative back-projection of one channel: start from the interpolation of
/// the observed image, then repeatedly degrade the estimate with the model,
/// interpolate the residual and add it back, so that the estimate's
/// degradation converges to the observation.
///
///     x₀ = P y
///     xₖ₊₁ = c(xₖ) + μ · (P (y − A c(xₖ)) − α L c(xₖ))
///
/// A = downscale ∘ blur (`UpsampleAxis.degrade`), P = Lanczos-3 interpolation,
/// c = clamping into the local range of the observation (`LocalRange`), α L
/// (L the 5-point negative Laplacian) the gradient penalty that a stated
/// noise level switches on. Every step is separable or local, so the result
/// at a pixel depends only on observed pixels near it and a window computes
/// what the whole image computes there (see `BackProjectionSchedule.halo`).
struct BackProjection: Sendable {
    let horizontal: UpsampleAxis
    let vertical: UpsampleAxis
    let schedule: BackProjectionSchedule

    /// The estimate over the high-resolution window `high` from the observed
    /// window `low`; progress goes from `from` to `to` of `context`'s work.
    func restore(_ low: WindowPlane, over high: Rect, context: RestorationContext,
                 from: Double, to: Double) throws -> WindowPlane {
        let steps = Double(3 + schedule.iterations * 6)
        var step = 0.0
        /// The progress span of the next pass.
        func span() -> (Double, Double) {
            defer { step += 1 }
            return (from + (to - from) * step / steps, from + (to - from) * (step + 1) / steps)
        }

        let bounds = span()
        let range = try LocalRange(of: low, radius: schedule.clampRadius, context: context,
                                   from: bounds.0, to: bounds.1)
        var estimate = WindowPlane(zeros: high)
        try interpolate(low, into: &estimate, scale: 1, accumulate: false, context: context,
                        spans: (span(), span()))
        for _ in 0 ..< schedule.iterations {
            let s = span()
            try range.clamp(&estimate, nearestX: horizontal.nearest, nearestY: vertical.nearest,
                            context: context, from: s.0, to: s.1)
            var residual = try degrade(estimate, to: low.rect, context: context, spans: (span(), span()))
            for i in residual.values.indices { residual.values[i] = low.values[i] - residual.values[i] }
            let r = span()
            if schedule.smoothing > 0 {
                estimate = try estimate.smoothed(by: schedule.step * schedule.smoothing, context: context,
                                                 from: r.0, to: r.1)
            } else {
                try context.report(r.1)
            }
            try interpolate(residual, into: &estimate, scale: schedule.step, accumulate: true,
                            context: context, spans: (span(), span()))
        }
        return estimate
    }

    /// `target` = (or +=) `scale` · P `low`.
    private func interpolate(_ low: WindowPlane, into target: inout WindowPlane, scale: Float,
                             accumulate: Bool, context: RestorationContext,
                             spans: ((Double, Double), (Double, Double))) throws {
        let wide = try horizontal.interpolate.alongRows(low, outputs: target.rect.x ..< target.rect.maxX,
                                                        context: context, from: spans.0.0, to: spans.0.1)
        try vertical.interpolate.downColumns(wide, into: &target, scale: scale, accumulate: accumulate,
                                             context: context, from: spans.1.0, to: spans.1.1)
    }

    /// A `high`, over the observed window `rect`.
    private func degrade(_ high: WindowPlane, to rect: Rect, context: RestorationContext,
                         spans: ((Double, Double), (Double, Double))) throws -> WindowPlane {
        let narrow = try horizontal.degrade.alongRows(high, outputs: rect.x ..< rect.maxX,
                                                      context: context, from: spans.0.0, to: spans.0.1)
        var low = WindowPlane(zeros: rect)
        try vertical.degrade.downColumns(narrow, into: &low, scale: 1, accumulate: false,
                                         context: context, from: spans.1.0, to: spans.1.1)
        return low
    }
}
