/// One lexical unit of a restoration prompt and where it starts.
struct PromptToken: Equatable, Sendable {
    /// What the token is.
    enum Kind: Equatable, Sendable {
        /// A run of letters, lowercased ("deblur", "x"); "and" is a separator.
        case word(String)
        /// A decimal number: an optional "-", digits, an optional fraction and
        /// an optional exponent ("2", "0.05", "1e-05"); `text` holds it.
        case number
        /// ",", ";", "." or the word "and".
        case separator
        /// "~" or "∼", between the degrees of DaLPSR's interval form.
        case tilde
        /// "×" (the letter x is a word).
        case times
        /// "/", in a noise fraction such as "15/255".
        case slash
        /// Any other character.
        case unexpected
        /// The end of the prompt.
        case end
    }

    /// What the token is.
    var kind: Kind
    /// The token as written.
    var text: String
    /// Where it starts, in Unicode scalars from the start of the prompt.
    var offset: Int
    /// Where it starts, in UTF-8 bytes from the start of the prompt.
    var utf8Offset: Int

    /// The token as an error message quotes it: "\"sigam\"", or "the end of the prompt".
    var quoted: String {
        kind == .end ? "the end of the prompt" : "\"\(text)\""
    }

    /// Whether this is the word `word` (given in lower case).
    func isWord(_ word: String) -> Bool { kind == .word(word) }

    /// Whether this is a multiplication sign, "x" or "×".
    var isTimes: Bool { kind == .times || kind == .word("x") }

    /// Whether this is a number.
    var isNumber: Bool { kind == .number }
}
