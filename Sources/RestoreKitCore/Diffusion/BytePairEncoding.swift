/// Byte-level byte-pair encoding as CLIP (after GPT-2) uses it: a word's UTF-8 bytes
/// become printable stand-in characters, the last one marked with `</w>`, and the
/// adjacent pair of symbols with the lowest merge rank is joined, everywhere in the
/// word, until no ranked pair is left. Each remaining symbol is one token.
///
/// Symbols are interned as small integers, so merging compares integers; the token ids
/// come from the vocabulary only at the end.
struct BytePairEncoding: Sendable {
    /// One line of a merges list: two symbols that join into one.
    struct Merge: Sendable {
        let first: String
        let second: String
        /// The 1-based line in the merges file, for messages.
        let line: Int
    }

    /// The mark of a word's last symbol.
    static let endOfWord = "</w>"

    /// The stand-in character of each byte: printable Latin-1 bytes stand for
    /// themselves, the others (controls, space, no-break space, soft hyphen) for U+0100
    /// onwards in byte order. `standInOrder` lists the bytes in the order the vocabulary
    /// gives them ids: the printable ones first.
    static let (standIns, standInOrder): ([Unicode.Scalar], [UInt8]) = {
        let printable = Array(0x21 ... 0x7E) + Array(0xA1 ... 0xAC) + Array(0xAE ... 0xFF)
        var standIns = [Unicode.Scalar](repeating: " ", count: 256)
        var order = printable.map(UInt8.init)
        for byte in printable { standIns[byte] = Unicode.Scalar(UInt8(byte)) }
        var next: UInt32 = 0x100
        for byte in 0 ..< 256 where !printable.contains(byte) {
            standIns[byte] = Unicode.Scalar(next)!
            order.append(UInt8(byte))
            next += 1
        }
        return (standIns, order)
    }()

    /// The merges of a merges file (`merges.txt`, or CLIP's `bpe_simple_vocab_16e6.txt`),
    /// read as transformers does: UTF-8 text with any line ending, surrounding
    /// whitespace stripped, the first line (`#version: …`) skipped, then at most `limit`
    /// lines of two symbols separated by whitespace. Errors name `file` and the line.
    static func merges(in bytes: [UInt8], file: String, limit: Int) throws -> [Merge] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RestoreError(.model, "'\(file)' is not UTF-8 text")
        }
        // Python's str.isspace: White_Space and the separators U+001C to U+001F.
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isWhitespace || (0x1C ... 0x1F).contains(scalar.value)
        }
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return [] }
        var line = 1 + scalars[..<first].indices.filter {
            scalars[$0] == "\n" || (scalars[$0] == "\r" && ($0 + 1 == scalars.count || scalars[$0 + 1] != "\n"))
        }.count
        var merges: [Merge] = []
        var start = first
        while start <= last, merges.count < limit {
            var end = start
            while end <= last, scalars[end] != "\n", scalars[end] != "\r" { end += 1 }
            if start > first {
                let parts = scalars[start ..< end].split(whereSeparator: isSpace)
                guard parts.count == 2 else {
                    throw RestoreError(.model, "'\(file)' line \(line) is not two symbols separated by a space: "
                                       + "'\(String(String.UnicodeScalarView(scalars[start ..< end])).prefix(60))'")
                }
                merges.append(Merge(first: String(String.UnicodeScalarView(parts[0])),
                                    second: String(String.UnicodeScalarView(parts[1])), line: line))
            }
            start = end + (end + 1 <= last && scalars[end] == "\r" && scalars[end + 1] == "\n" ? 2 : 1)
            line += 1
        }
        return merges
    }

    private struct Rule {
        let rank: Int32
        let joined: Int32
    }

    /// The token id of each interned symbol.
    private let tokenIDs: [Int]
    /// The symbol of each byte inside a word, and at its end.
    private let byteSymbols: [Int32]
    private let finalByteSymbols: [Int32]
    /// Rank and result of each mergeable pair, keyed by `pairKey`.
    private let rules: [UInt64: Rule]

    /// Interns the vocabulary's symbols. Every byte symbol (plain and with `</w>`) and
    /// both symbols of every merge and their join must be in `vocabulary`; errors name
    /// `vocabularyFile` or `mergesFile` and the line. A pair listed twice keeps its later
    /// rank, as Python's dict does.
    init(vocabulary: [String: Int], merges: [Merge], vocabularyFile: String, mergesFile: String) throws {
        var symbols: [String: Int32] = [:]
        var tokenIDs: [Int] = []
        func intern(_ symbol: String, _ missing: @autoclosure () -> String) throws -> Int32 {
            if let known = symbols[symbol] { return known }
            guard let id = vocabulary[symbol] else { throw RestoreError(.model, missing()) }
            let index = Int32(tokenIDs.count)
            symbols[symbol] = index
            tokenIDs.append(id)
            return index
        }
        var byteSymbols: [Int32] = [], finalByteSymbols: [Int32] = []
        for byte in 0 ..< 256 {
            let symbol = String(Self.standIns[byte])
            byteSymbols.append(try intern(symbol, "'\(vocabularyFile)' lacks the byte symbol '\(symbol)'"))
            finalByteSymbols.append(try intern(symbol + Self.endOfWord,
                                               "'\(vocabularyFile)' lacks the byte symbol '\(symbol)\(Self.endOfWord)'"))
        }
        var rules: [UInt64: Rule] = [:]
        for (rank, merge) in merges.enumerated() {
            func missing(_ symbol: String) -> String {
                "'\(mergesFile)' line \(merge.line) ('\(merge.first) \(merge.second)'): '\(symbol)' is not in '\(vocabularyFile)'"
            }
            let first = try intern(merge.first, missing(merge.first))
            let second = try intern(merge.second, missing(merge.second))
            let joined = merge.first + merge.second
            rules[Self.pairKey(first, second)] = Rule(rank: Int32(rank), joined: try intern(joined, missing(joined)))
        }
        self.tokenIDs = tokenIDs
        self.byteSymbols = byteSymbols
        self.finalByteSymbols = finalByteSymbols
        self.rules = rules
    }

    private static func pairKey(_ first: Int32, _ second: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: first)) << 32 | UInt64(UInt32(bitPattern: second))
    }

    /// The token ids of one non-empty word given as UTF-8 bytes, appended to `ids`.
    func encode(_ word: [UInt8], into ids: inout [Int]) {
        var symbols = word.indices.map { $0 == word.count - 1 ? finalByteSymbols[Int(word[$0])] : byteSymbols[Int(word[$0])] }
        var joined: [Int32] = []
        while symbols.count > 1 {
            var best: (rule: Rule, first: Int32, second: Int32)? = nil
            for index in 0 ..< symbols.count - 1 {
                let first = symbols[index], second = symbols[index + 1]
                if let rule = rules[Self.pairKey(first, second)], best.map({ rule.rank < $0.rule.rank }) ?? true {
                    best = (rule, first, second)
                }
            }
            guard let best else { break }
            joined.removeAll(keepingCapacity: true)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count, symbols[index] == best.first, symbols[index + 1] == best.second {
                    joined.append(best.rule.joined)
                    index += 2
                } else {
                    joined.append(symbols[index])
                    index += 1
                }
            }
            swap(&symbols, &joined)
        }
        for symbol in symbols { ids.append(tokenIDs[Int(symbol)]) }
    }
}
