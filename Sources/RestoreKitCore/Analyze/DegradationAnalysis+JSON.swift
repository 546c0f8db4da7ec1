extension DegradationAnalysis {
    /// The analysis as one JSON object, for programs (`restorekit analyze
    /// --json`, the C ABI's report):
    ///
    ///     {"prompt": "Deblur with sigma 1.2, Denoise with sigma 0.031",
    ///      "quality": "blurry, noticeable noise, no visible compression",
    ///      "levels": {"blur": 1, "noise": 1, "jpeg": 0, "text": "Deblur with sigma 0.25 ~ 0.5, …"},
    ///      "noise": {"sigma": 0.0312, "confidence": 0.93, "signal_dependent": false,
    ///                "by_brightness": [{"brightness": 0.21, "sigma": 0.0308}, …]},
    ///      "blur": {"sigma": 1.21, "confidence": 0.88, "edges": 412},
    ///      "jpeg": {"quality": null, "confidence": 0.97, "source": null, "exact": false},
    ///      "upsampling": {"factor": 1, "confidence": 0.9}}
    ///
    /// Levels are DaLPSR's 0–3; `source` is "file" (the file's quantisation
    /// tables) or "pixels".
    public var json: String {
        let levels = self.levels
        let source: String? = switch jpeg.source {
        case .fileTables: "file"
        case .pixels: "pixels"
        case nil: nil
        }
        let bands = noise.byBrightness.map {
            #"{"brightness": \#(Self.number($0.brightness)), "sigma": \#(Self.number($0.sigma))}"#
        }
        return """
            {"prompt": \(prompt.description.jsonQuoted), "quality": \(qualitySentence.jsonQuoted), \
            "levels": {"blur": \(levels.blur.rawValue), "noise": \(levels.noise.rawValue), \
            "jpeg": \(levels.jpeg.rawValue), "text": \(levels.description.jsonQuoted)}, \
            "noise": {"sigma": \(Self.number(noise.sigma)), "confidence": \(Self.number(noise.confidence)), \
            "signal_dependent": \(noise.signalDependent), "by_brightness": [\(bands.joined(separator: ", "))]}, \
            "blur": {"sigma": \(Self.number(blur.sigma)), "confidence": \(Self.number(blur.confidence)), \
            "edges": \(blur.edges)}, \
            "jpeg": {"quality": \(jpeg.quality.map(String.init) ?? "null"), \
            "confidence": \(Self.number(jpeg.confidence)), "source": \(source.map(\.jsonQuoted) ?? "null"), \
            "exact": \(jpeg.exact)}, \
            "upsampling": {"factor": \(Self.number(upsampling.factor)), \
            "confidence": \(Self.number(upsampling.confidence))}}
            """
    }

    /// A JSON number to four decimals (JSON has no infinities or NaN: null).
    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
    }
}
