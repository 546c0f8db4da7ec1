extension RequestOption {
    /// Every option as a JSON array, for programs that follow the declaration
    /// (`restorekit options --json`, the C ABI's `restore_options_json`):
    ///
    ///     [{"name": "steps", "type": "integer", "default": 20, "minimum": 1, "maximum": 1000,
    ///       "scope": "stage", "summary": "Sampler steps of generative models"}, …]
    ///
    /// Types are "text" (with "max_bytes"), "integer" and "number" (with
    /// "minimum" and "maximum", inclusive) and "flag"; "scope" is "request"
    /// (always in effect) or "stage" (only where a stage reads it).
    public static var json: String {
        "[\n" + all.map { "  " + $0.json }.joined(separator: ",\n") + "\n]"
    }

    /// This option as one JSON object.
    public var json: String {
        var fields = [("name", name.jsonQuoted)]
        switch kind {
        case .text(let limit): fields += [("type", "\"text\""), ("max_bytes", String(limit))]
        case .integer(let range):
            fields += [("type", "\"integer\""), ("minimum", String(range.lowerBound)),
                       ("maximum", String(range.upperBound))]
        case .number(let range):
            fields += [("type", "\"number\""), ("minimum", OptionValue.number(range.lowerBound).description),
                       ("maximum", OptionValue.number(range.upperBound).description)]
        case .flag: fields += [("type", "\"flag\"")]
        }
        let value: String = switch defaultValue {
        case .text(let text): text.jsonQuoted
        case .integer, .number: defaultValue.description
        case .flag(let on): on ? "true" : "false"
        }
        fields += [("default", value), ("scope", scope == .stage ? "\"stage\"" : "\"request\""),
                   ("summary", summary.jsonQuoted)]
        return "{" + fields.map { "\($0.0.jsonQuoted): \($0.1)" }.joined(separator: ", ") + "}"
    }
}
