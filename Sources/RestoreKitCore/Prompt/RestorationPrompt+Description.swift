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
    /// A noise profile follows Denoise's σ: its tones in the order shadows,
    /// midtones, highlights (replacing the single σ), then its grain, whole
    /// like a scale factor ("Denoise with sigma 0.05 in shadows, 0.03 in
    /// highlights, grain 2").
    public var description: String {
        var clauses = RestorationClause.allCases.compactMap { clause in
            self[clause].map { canonicalText(clause, $0) }
        }
        if removeAllDegradation { clauses.append("Remove all degradation") }
        return clauses.joined(separator: ", ")
    }
}

extension RestorationPrompt {
    /// `clause`'s canonical text with `setting`, Denoise's with this prompt's noise profile.
    func canonicalText(_ clause: RestorationClause, _ setting: Setting<Double>) -> String {
        if clause == .denoise, let profile = denoiseProfile, let sigma = setting.value {
            return "Denoise with sigma " + profile.canonicalText(uniform: sigma)
        }
        return clause.canonicalText(setting)
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
