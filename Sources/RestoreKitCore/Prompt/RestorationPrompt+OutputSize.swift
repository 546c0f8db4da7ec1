extension RestorationPrompt {
    /// The size of the restored image: each side times the stated upsampling
    /// factor, rounded to the nearest pixel (at least 1); unchanged without
    /// "Upsample". Nil when the factor is left to estimate.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int)? {
        switch upsample {
        case nil: return (width, height)
        case .estimate: return nil
        case .value(let factor): return (Self.scaled(width, factor), Self.scaled(height, factor))
        }
    }

    /// The error for an "Upsample" without a factor where the output size must
    /// be known: only the user can choose it.
    public static let factorNeeded = RestoreError(.invalidPrompt,
        "'Upsample' without a factor: the output size is your choice, e.g. 'Upsample to 2'")

    /// `side` × `factor`, rounded, at least 1: the one rule every upsampler follows.
    public static func scaled(_ side: Int, _ factor: Double) -> Int {
        max(1, Int((Double(side) * factor).rounded()))
    }
}
