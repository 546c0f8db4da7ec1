/// Edit distance between words, for "did you mean …?" suggestions.
enum EditDistance {
    /// The optimal-string-alignment distance between `a` and `b`, compared by
    /// Unicode scalars: insertions, deletions, substitutions and transpositions
    /// of neighbours each cost 1 ("deblurr" → "deblur" 1, "dejepg" → "dejpeg" 1).
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rows of the dynamic-programming table: i−2, i−1 and i.
        var older = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0 ... b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1 ... a.count {
            row[0] = i
            for j in 1 ... b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, older[j - 2] + 1)
                }
                row[j] = best
            }
            (older, previous, row) = (previous, row, older)
        }
        return previous[b.count]
    }

    /// The entry of `vocabulary` nearest to `word` (compared case-insensitively),
    /// when it is a plausible misspelling: distance 1 for words of 3–5 letters,
    /// up to 2 for longer ones, none for shorter words or exact matches. Ties go
    /// to the earlier entry. The entry is returned as written in `vocabulary`.
    static func suggestion(for word: String, among vocabulary: [String]) -> String? {
        let word = word.lowercased()
        let count = word.unicodeScalars.count
        guard count >= 3 else { return nil }
        let limit = count <= 5 ? 1 : 2
        var best: (entry: String, distance: Int)?
        for entry in vocabulary {
            let distance = between(word, entry.lowercased())
            if distance > 0, distance <= limit, distance < (best?.distance ?? .max) {
                best = (entry, distance)
            }
        }
        return best?.entry
    }
}
