/// Why a restoration prompt could not be parsed, where, and what would have
/// been accepted there.
///
/// Offsets are 0-based. `offset` counts Unicode scalars (what Python's `str`
/// indexes by); `utf8Offset` counts UTF-8 bytes (what the C ABI reports). Both
/// point at the start of the offending token: the misspelt word, the number out
/// of range, the clause that contradicts an earlier one, or the end of the text.
///
///     try RestorationPrompt.parse("Deblur with sigma")
///     // at character 17: expected a number after "sigma", found the end of the prompt
public struct PromptParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of mistake.
    public enum Kind: Equatable, Sendable {
        /// The text does not follow the grammar (a misspelt or missing word).
        case syntax
        /// A number lies outside its valid range (or is not a whole number
        /// where one is needed); `expected` states the range.
        case outOfRange
        /// A clause gives a different setting than an earlier clause of the
        /// same kind; `expected` is the earlier clause.
        case contradiction
    }

    /// The class of mistake.
    public var kind: Kind
    /// Where the mistake starts, in Unicode scalars (0-based).
    public var offset: Int
    /// Where the mistake starts, in UTF-8 bytes (0-based).
    public var utf8Offset: Int
    /// What would have been accepted, in words (`a number after "sigma"`); for
    /// a contradiction, the earlier clause in canonical form, quoted.
    public var expected: String
    /// What was there instead, quoted (`"sigam"`), or "the end of the prompt";
    /// for a contradiction, the later clause in canonical form, quoted.
    public var found: String
    /// The word the user probably meant, when the mistake is a near miss of one
    /// ("deblurr" → "Deblur").
    public var suggestion: String?

    /// Creates an error; see the properties for what each part holds.
    public init(_ kind: Kind, offset: Int, utf8Offset: Int, expected: String, found: String,
                suggestion: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.utf8Offset = utf8Offset
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
    }

    /// The error as a sentence: `at character 7: expected "with sigma", a
    /// number, a separator (",", ";", ".", "and") or the end of the prompt,
    /// found "wiht"; did you mean "with"?`; for a contradiction `at character
    /// 18: "Upsample to 4" contradicts the earlier "Upsample to 2"`.
    public var message: String {
        let place = "at character \(offset)"
        if kind == .contradiction {
            return "\(place): \(found) contradicts the earlier \(expected)"
        }
        let hint = suggestion.map { "; did you mean \"\($0)\"?" } ?? ""
        return "\(place): expected \(expected), found \(found)\(hint)"
    }

    /// Same as `message`.
    public var description: String { message }

    /// The error as RestoreKit reports it: kind `.invalidPrompt`, message
    /// "restoration prompt at character 7: …".
    public var restoreError: RestoreError {
        RestoreError(.invalidPrompt, "restoration prompt \(message)")
    }
}
