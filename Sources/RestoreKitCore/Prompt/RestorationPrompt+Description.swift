extension RestorationPrompt: CustomStringConvertible {
    /// The canonical form: the present clauses in the order Deblur, Upsample,
    /// Denoise, Dejpeg, then "Remove all degradation", joined by ", ";
    /// "" for the empty prompt.
    ///
    ///     Deblur with sigma 2.0, Upsample to 2, Denoise with sigma 0.05, Dejpeg with quality 40
    ///
    /// Numbers are Swift's shortest round-trip digits in plain decimal notation,
    /// so `parse(p.description) == p` exactly. Sigmas always show a decimal point
    /// ("2.0", as SPIRE writes them); a whole scale factor shows none
    /// ("Upsample to 4", "Upsample to 2.5"); JPEG quality is a whole number.
    public var description: String {
        var clauses = RestorationClause.allCases.compactMap { clause in
            self[clause].map(clause.canonicalText)
        }
        if removeAllDegradation { clauses.append("Remove all degradation") }
        return clauses.joined(separator: ", ")
    }
}

extension RestorationClause {
    /// The canonical text of this clause with `setting`: "Deblur", "Deblur with
    /// sigma 2.0", "Upsample to 4", "Denoise with sigma 0.05", "Dejpeg with quality 40".
    func canonicalText(_ setting: RestorationPrompt.Setting<Double>) -> String {
        guard let value = setting.value else { return verb }
        switch self {
        case .deblur, .denoise:
            return "\(verb) with sigma \(value.plainDecimalDescription)"
        case .upsample:
            let text = value.plainDecimalDescription
            return "\(verb) to \(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)"
        case .dejpeg:
            let quality = Int(exactly: value).map(String.init) ?? value.plainDecimalDescription
            return "\(verb) with quality \(quality)"
        }
    }
}
