extension RestorationClause {
    /// The physical parameter for a DaLPSR normalised degree (0 = lightest,
    /// 1 = heaviest), linear over SPIRE's trained range (`trainedRange`):
    ///
    /// - deblur: σ = 0.2 + 2.8·d pixels, rounded to 0.001;
    /// - upsample: factor = 1 + 6·d, rounded to 0.001;
    /// - denoise: σ = 0.12·d, rounded to 0.00001;
    /// - dejpeg: quality = 92 − 62·d, rounded to a whole number (heavier
    ///   compression is a lower quality).
    ///
    /// The parser applies it to the midpoint of an interval, so DaLPSR's four
    /// bins give σ_blur 0.55 / 1.25 / 1.95 / 2.65, σ_noise 0.015 / 0.045 /
    /// 0.075 / 0.105 and quality 84 / 69 / 53 / 38. A degree outside [0, 1]
    /// is clamped to it; NaN counts as 0.
    public func value(forDegree degree: Double) -> Double {
        let d = degree >= 0 ? min(degree, 1) : 0
        let range = trainedRange
        let span = range.upperBound - range.lowerBound
        switch self {
        case .deblur, .upsample: return rounded(range.lowerBound + span * d, steps: 1000)
        case .denoise: return rounded(range.lowerBound + span * d, steps: 100_000)
        case .dejpeg: return (range.upperBound - span * d).rounded()
        }
    }

    /// `x` rounded to a multiple of 1/`steps`: the nearest Double to that
    /// decimal, so it prints short ("0.55", not "0.5499999999999999").
    private func rounded(_ x: Double, steps: Double) -> Double {
        (x * steps).rounded() / steps
    }
}
