/// The text steps of transformers' slow `CLIPTokenizer` when ftfy is not installed,
/// scalar for scalar: its BERT-style basic tokenizer (drop control characters, make
/// whitespace a space, space out CJK ideographs, NFC, split on whitespace, lower-case)
/// and then CLIP's pre-tokenizing pattern
/// `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// (case-insensitive). The words it yields are what byte-pair encoding splits further.
///
/// The reference runs on Python 3.11, whose character data is Unicode 14.0, while the
/// Swift standard library's is newer. Python counts a character assigned later as
/// unassigned, a control category, so the basic tokenizer deletes it; `isControl` does
/// the same by the scalar's age. For the characters of Unicode 14.0, compared code point
/// by code point, the categories and case mappings agree with Python's except for two,
/// overridden in `isCased` and `isCaseIgnorable`.
enum CLIPTextNormalization {
    /// The words of `text` (a piece between added tokens), each as UTF-8 bytes, appended to `words`.
    static func appendWords(of text: ArraySlice<Unicode.Scalar>, to words: inout [[UInt8]]) {
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(text.count)
        for scalar in text {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isCJKIdeograph(scalar.value) {
                cleaned += [" ", scalar, " "]
            } else {
                cleaned.append(scalar)
            }
        }
        // Below U+0300 every character is in NFC and none composes with another.
        let normalized = cleaned.allSatisfy { $0.value < 0x300 } ? cleaned : nfc(cleaned)
        // Python's str.split(); of its separators only spaces, U+2028 and U+2029 are left.
        func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || (!scalar.isASCII && scalar.properties.isWhitespace)
        }
        var start = 0
        var lowered: [Unicode.Scalar] = []
        while start < normalized.count {
            guard !isSeparator(normalized[start]) else { start += 1; continue }
            var end = start
            while end < normalized.count, !isSeparator(normalized[end]) { end += 1 }
            lowered.removeAll(keepingCapacity: true)
            appendLowercased(normalized[start ..< end], to: &lowered)
            appendPatternMatches(in: lowered, to: &words)
            start = end
        }
    }

    /// The reference's `_is_control`: any C category except tab, newline and carriage
    /// return, which count as whitespace. Unassigned in Unicode 14.0 counts as control.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        let properties = scalar.properties
        guard let age = properties.age, age.major < 14 || (age.major == 14 && age.minor == 0) else { return true }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// The reference's `_is_whitespace`: space, tab, newline, carriage return and the space separators (Zs).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
            || (!scalar.isASCII && scalar.properties.generalCategory == .spaceSeparator)
    }

    /// The code points the reference's `_is_chinese_char` spaces out: the CJK Unified
    /// Ideographs blocks it lists and the CJK Compatibility Ideographs.
    static func isCJKIdeograph(_ value: UInt32) -> Bool {
        (0x4E00 ... 0x9FFF).contains(value) || (0x3400 ... 0x4DBF).contains(value)
            || (0x20000 ... 0x2A6DF).contains(value) || (0x2A700 ... 0x2B73F).contains(value)
            || (0x2B740 ... 0x2B81F).contains(value) || (0x2B820 ... 0x2CEAF).contains(value)
            || (0xF900 ... 0xFAFF).contains(value) || (0x2F800 ... 0x2FA1F).contains(value)
    }

    /// Canonical composition (NFC) by the standard library's normalizer, the public but
    /// underscored `String._nfcCodeUnits` (the only NFC without Foundation). That
    /// normalizer leaves U+0F73, U+0F75 and U+0F81 unordered behind combining marks of a
    /// higher class; they never recompose, so handing it their decompositions instead
    /// gives the same NFC, and then it agrees with Python's `unicodedata.normalize`.
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(text.count * 3)
        for scalar in text {
            let decomposed: [Unicode.Scalar] = switch scalar.value {
            case 0x0F73: ["\u{0F71}", "\u{0F72}"]
            case 0x0F75: ["\u{0F71}", "\u{0F74}"]
            case 0x0F81: ["\u{0F71}", "\u{0F80}"]
            default: [scalar]
            }
            for part in decomposed { utf8 += UTF8.encode(part)! }
        }
        return Array(String(decoding: String(decoding: utf8, as: UTF8.self)._nfcCodeUnits, as: UTF8.self).unicodeScalars)
    }

    /// Python's `str.lower()`: each scalar's full lowercase mapping, with capital sigma
    /// becoming final sigma at the end of a word (Unicode's Final_Sigma condition).
    static func appendLowercased(_ word: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        for index in word.indices {
            let scalar = word[index]
            if scalar.isASCII {
                output.append(("A" ... "Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else if scalar == "\u{03A3}" {
                output.append(isFinalSigma(word, at: index) ? "\u{03C2}" : "\u{03C3}")
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
    }

    /// Final_Sigma: a cased letter before (skipping case-ignorable ones) and none after.
    static func isFinalSigma(_ word: ArraySlice<Unicode.Scalar>, at index: Int) -> Bool {
        guard let before = word[..<index].last(where: { !isCaseIgnorable($0) }), isCased(before) else { return false }
        guard let after = word[(index + 1)...].first(where: { !isCaseIgnorable($0) }) else { return true }
        return !isCased(after)
    }

    /// Cased, as in Unicode 14.0: U+0295 was a lowercase letter then.
    static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x0295 || scalar.properties.isCased
    }

    /// Case-ignorable, as in Unicode 14.0: U+1171E was a nonspacing mark then.
    static func isCaseIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x1171E || scalar.properties.isCaseIgnorable
    }

    /// CLIP's pattern over one lower-cased, whitespace-free word, as the `regex` module
    /// matches it: at each position the first alternative that fits, else the scalar is
    /// skipped. Only U+0345 is skipped: with case folding it is neither a letter (it folds
    /// to one) nor outside the letters.
    static func appendPatternMatches(in word: [Unicode.Scalar], to words: inout [[UInt8]]) {
        var position = 0
        while position < word.count {
            let length = specialTokenLength(word, position) ?? contractionLength(word, position)
                ?? runLength(word, position, where: isLetter)
                ?? (isNumber(word[position]) ? 1 : nil)
                ?? runLength(word, position, where: { !isLetter($0) && !isNumber($0) && $0.value != 0x0345 })
            guard let length else { position += 1; continue }
            var bytes: [UInt8] = []
            for scalar in word[position ..< position + length] { bytes.append(contentsOf: UTF8.encode(scalar)!) }
            words.append(bytes)
            position += length
        }
    }

    /// `\p{L}` (general category L*).
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a" ... "z").contains(scalar) || ("A" ... "Z").contains(scalar) }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}` (general category N*).
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("0" ... "9").contains(scalar) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Whether `scalar` matches the pattern's ASCII `letter` ignoring case as the `regex`
    /// module does: the letter, its capital, and for s also ſ (U+017F), which folds to s.
    static func matchesIgnoringCase(_ scalar: Unicode.Scalar, _ letter: Unicode.Scalar) -> Bool {
        scalar == letter || scalar.value == letter.value - 32 || (letter == "s" && scalar.value == 0x017F)
    }

    /// The length of `literal` at `position`, letters compared ignoring case.
    static func literalLength(_ word: [Unicode.Scalar], _ position: Int, _ literal: String) -> Int? {
        var index = position
        for expected in literal.unicodeScalars {
            guard index < word.count else { return nil }
            let scalar = word[index]
            let matches = ("a" ... "z").contains(expected) ? matchesIgnoringCase(scalar, expected) : scalar == expected
            guard matches else { return nil }
            index += 1
        }
        return index - position
    }

    static func specialTokenLength(_ word: [Unicode.Scalar], _ position: Int) -> Int? {
        guard word[position] == "<" else { return nil }
        return literalLength(word, position, CLIPTokenizer.startOfText)
            ?? literalLength(word, position, CLIPTokenizer.endOfText)
    }

    static func contractionLength(_ word: [Unicode.Scalar], _ position: Int) -> Int? {
        guard word[position] == "'" else { return nil }
        for suffix in ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"] {
            if let length = literalLength(word, position, suffix) { return length }
        }
        return nil
    }

    static func runLength(_ word: [Unicode.Scalar], _ position: Int,
                          where belongs: (Unicode.Scalar) -> Bool) -> Int? {
        var end = position
        while end < word.count, belongs(word[end]) { end += 1 }
        return end > position ? end - position : nil
    }
}
