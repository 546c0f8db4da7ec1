/// Splits a restoration prompt into tokens. Whitespace only separates tokens;
/// words are case-insensitive; a "." is a decimal point only between digits
/// ("2.5"), a separator otherwise ("2." or ".5").
enum PromptLexer {
    /// The tokens of `text`, always ending with an `.end` token.
    static func tokens(in text: String) -> [PromptToken] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [PromptToken] = []
        var index = 0
        var utf8Offset = 0
        while index < scalars.count {
            let start = index
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
                utf8Offset += UTF8.width(scalar)
                continue
            }
            let kind: PromptToken.Kind
            if isDigit(scalar) || (scalar == "-" && index + 1 < scalars.count && isDigit(scalars[index + 1])) {
                index = endOfNumber(scalars, from: index)
                kind = .number
            } else if scalar.properties.isAlphabetic {
                while index < scalars.count && scalars[index].properties.isAlphabetic { index += 1 }
                let word = String(String.UnicodeScalarView(scalars[start ..< index])).lowercased()
                kind = word == "and" ? .separator : .word(word)
            } else {
                index += 1
                switch scalar {
                case ",", ";", ".": kind = .separator
                case "~", "\u{223C}": kind = .tilde
                case "\u{D7}": kind = .times
                case "/": kind = .slash
                default: kind = .unexpected
                }
            }
            let written = String(String.UnicodeScalarView(scalars[start ..< index]))
            tokens.append(PromptToken(kind: kind, text: written, offset: start, utf8Offset: utf8Offset))
            utf8Offset += written.utf8.count
        }
        tokens.append(PromptToken(kind: .end, text: "", offset: scalars.count, utf8Offset: utf8Offset))
        return tokens
    }

    /// Whether `scalar` is an ASCII digit.
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar >= "0" && scalar <= "9"
    }

    /// The index just past the number starting at `start`: "-"? digits
    /// ("." digits)? ([eE] [+-]? digits)?, each optional part taken only when
    /// complete.
    private static func endOfNumber(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        func digits(from i: Int) -> Int {
            var i = i
            while i < scalars.count && isDigit(scalars[i]) { i += 1 }
            return i
        }
        var end = digits(from: scalars[start] == "-" ? start + 1 : start)
        if end + 1 < scalars.count, scalars[end] == ".", isDigit(scalars[end + 1]) {
            end = digits(from: end + 1)
        }
        if end < scalars.count, scalars[end] == "e" || scalars[end] == "E" {
            var mark = end + 1
            if mark < scalars.count, scalars[mark] == "+" || scalars[mark] == "-" { mark += 1 }
            if mark < scalars.count, isDigit(scalars[mark]) { end = digits(from: mark) }
        }
        return end
    }
}
