/// The words of a semantic prompt that say the picture is drawn rather than
/// photographed, so enlarging goes to networks trained on illustrations
/// (Real-ESRGAN's anime models). Matched as whole words, ignoring case; the
/// word's presence decides, whatever surrounds it.
public enum IllustrationWords {
    /// Every word that routes, singular and plural; "line art" is also
    /// matched as two words.
    public static let words: [String] = [
        "anime", "manga", "illustration", "illustrations", "cartoon", "cartoons", "comic", "comics",
        "drawing", "drawings", "lineart", "line-art",
    ]

    /// The first routing word in `semantic` as written there, or nil.
    public static func firstMatch(in semantic: String) -> String? {
        var tokens: [Substring] = []
        var start: String.Index?
        for index in semantic.indices {
            let c = semantic[index]
            if c.isLetter || c == "-" {
                if start == nil { start = index }
            } else if let s = start {
                tokens.append(semantic[s ..< index])
                start = nil
            }
        }
        if let s = start { tokens.append(semantic[s...]) }
        for (i, token) in tokens.enumerated() {
            let word = token.lowercased()
            if words.contains(word) { return String(token) }
            if word == "line", i + 1 < tokens.count, tokens[i + 1].lowercased() == "art" {
                return "\(token) \(tokens[i + 1])"
            }
        }
        return nil
    }
}
