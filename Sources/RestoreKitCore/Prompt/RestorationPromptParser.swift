extension RestorationPrompt {
    /// Parses a restoration prompt (SPIRE's grammar, DaLPSR's interval form
    /// and a few everyday spellings; see docs/prompt-language.md).
    ///
    /// Case-insensitive; clauses in any order, separated by ",", ";", "." or
    /// "and" (runs of separators are fine). A bare verb means `.estimate`. An
    /// empty or all-whitespace text gives the empty prompt. Repeating a clause
    /// with the same setting is accepted; a different setting is an error.
    ///
    ///     try RestorationPrompt.parse("deblur 1.5 and upscale 2x")
    ///     // Deblur with sigma 1.5, Upsample to 2
    ///     try RestorationPrompt.parse("Deblur with sigma 0.5 ~ 0.75, Dejpeg with sigma 0 ~ 0.25")
    ///     // Deblur with sigma 1.95, Dejpeg with quality 84
    ///
    /// - Throws: `PromptParseError` at the first mistake, with its position,
    ///   what was expected there and, for a near miss, a suggestion.
    public static func parse(_ text: String) throws(PromptParseError) -> RestorationPrompt {
        var parser = RestorationPromptParser(text)
        return try parser.parse()
    }
}

/// A recursive-descent parser over `PromptLexer`'s tokens:
///
///     prompt   := separator* (clause (separator+ clause)*)? separator*
///     clause   := verb tail | "remove" "all" ("degradation" | "degradations")
///               | times number | number times
///     verb     := "deblur" | "upsample" | "upscale" | "denoise" | "dejpeg"
///     tail     := ε | ["with"] word value | value | times value     (see below)
///     value    := number ["~" number] | number "/" number (Denoise only)
///     times    := "x" | "×"
///
/// Denoise's value may go on with a noise profile (`NoiseProfile`):
///
///     profile  := "in" tone (separator* value "in" tone)+ [grain] | grain
///     tone     := "shadows" | "midtones" | "highlights" (or singular)
///     grain    := separator* "grain" number ["px" | "pixels"]
///
/// `word` is the clause's parameter word (`RestorationClause.parameterWords`);
/// "with" is not used with Upsample's "to"/"by", and only Upsample takes
/// `times value` or a trailing `times` ("upscale 2x").
struct RestorationPromptParser {
    /// What may follow a clause besides a separator, for error messages.
    private struct Continuation {
        /// The alternatives, in words ("\"with sigma\"", "a number").
        var expected: [String]
        /// The words among them, for suggestions.
        var vocabulary: [String]

        /// A clause that is complete: only a separator may follow.
        static let complete = Continuation(expected: [], vocabulary: [])
    }

    private static let clauseVerbs = ["Deblur", "Upsample", "Upscale", "Denoise", "Dejpeg", "Remove"]
    private static let clauseStart =
        "a clause (Deblur, Upsample, Denoise, Dejpeg or Remove all degradation)"
    private static let separator = "a separator (\",\", \";\", \".\", \"and\")"

    private let tokens: [PromptToken]
    private var position = 0
    private var prompt = RestorationPrompt()

    /// A parser over `text`.
    init(_ text: String) {
        tokens = PromptLexer.tokens(in: text)
    }

    /// Parses the whole text.
    mutating func parse() throws(PromptParseError) -> RestorationPrompt {
        while current.kind != .end {
            if current.kind == .separator {
                advance()
                continue
            }
            let continuation = try clause()
            guard current.kind == .separator || current.kind == .end else {
                throw syntaxError(expected: list(continuation.expected + [Self.separator, "the end of the prompt"]),
                                  vocabulary: continuation.vocabulary + ["and"])
            }
        }
        return prompt
    }

    // MARK: Clauses

    private mutating func clause() throws(PromptParseError) -> Continuation {
        let start = current
        switch start.kind {
        case .word("deblur"): return try parameterisedClause(.deblur, start: start)
        case .word("upsample"), .word("upscale"): return try parameterisedClause(.upsample, start: start)
        case .word("denoise"): return try parameterisedClause(.denoise, start: start)
        case .word("dejpeg"): return try parameterisedClause(.dejpeg, start: start)
        case .word("remove"):
            try blindClause()
            return .complete
        case .word("x"), .times:
            advance()
            let factor = try value(of: .upsample, after: start.text)
            try set(.upsample, .value(factor), start: start)
            return .complete
        case .number:
            let factor = try value(of: .upsample, after: start.text)
            guard current.isTimes else {
                throw syntaxError(expected: "\"x\" or \"×\" after \(start.quoted) (a scale such as \"2x\")",
                                  vocabulary: [])
            }
            advance()
            try set(.upsample, .value(factor), start: start)
            return .complete
        case .word("grain"), .word("in"):
            throw syntaxError(expected: Self.clauseStart + " (a grain or tone follows Denoise's sigma, as in "
                              + "\"Denoise with sigma 0.05 in shadows, 0.03 in highlights, grain 2\")",
                              vocabulary: [])
        default:
            throw syntaxError(expected: Self.clauseStart, vocabulary: Self.clauseVerbs)
        }
    }

    /// Deblur, Upsample, Denoise or Dejpeg, the verb being the current token.
    private mutating func parameterisedClause(_ clause: RestorationClause,
                                              start: PromptToken) throws(PromptParseError) -> Continuation {
        advance()
        let words = clause.parameterWords
        var introduction: String?
        if clause != .upsample, current.isWord("with") {
            advance()
            guard case .word(let word) = current.kind, words.contains(word) else {
                throw syntaxError(expected: list(words.map { "\"\($0)\"" }) + " after \"with\"",
                                  vocabulary: words)
            }
            introduction = word
            advance()
        } else if case .word(let word) = current.kind, words.contains(word) {
            introduction = word
            advance()
        } else if clause == .upsample, current.isTimes {
            introduction = current.text
            advance()
        }
        var setting: RestorationPrompt.Setting<Double>
        if let introduction {
            setting = .value(try value(of: clause, after: introduction))
        } else if current.isNumber {
            setting = .value(try value(of: clause, after: start.text))
        } else {
            setting = .estimate
        }
        if clause == .upsample, setting != .estimate, current.isTimes { advance() }
        var profile: NoiseProfile?
        var continuation = Continuation.complete
        if clause == .denoise, case .value(let sigma) = setting {
            (setting, profile, continuation) = try noiseProfile(after: sigma)
        }
        try set(clause, setting, profile: profile, start: start)
        guard setting == .estimate else { return continuation }
        return clause == .upsample
            ? Continuation(expected: ["\"to\"", "a factor such as \"2x\""], vocabulary: ["to", "by"])
            : Continuation(expected: ["\"with \(words[0])\"", "a number"], vocabulary: ["with"] + words)
    }

    /// The tones and grain that may follow Denoise's first σ (`sigma`, just
    /// read): "in shadows, 0.03 in highlights", "grain 2". Returns the
    /// clause's σ (at mid-grey when tones are stated), the profile (nil for
    /// neither) and what else could have followed.
    private mutating func noiseProfile(after sigma: Double) throws(PromptParseError)
        -> (RestorationPrompt.Setting<Double>, NoiseProfile?, Continuation) {
        var profile = NoiseProfile()
        if current.isWord("in") {
            try tone(sigma, into: &profile)
            while let next = nextAfterSeparators(), toneFollows(next) {
                position = next
                let value = try value(of: .denoise, after: "a tone")
                try tone(value, into: &profile)
            }
            guard profile.tones.count >= 2 else {
                throw syntaxError(expected: "a second tone after \"in \(profile.tones.keys.first!.word)\" "
                                  + "(such as \", 0.02 in highlights\"): one tone alone is a single sigma",
                                  vocabulary: [])
            }
        }
        if let next = nextAfterSeparators(), tokens[next].isWord("grain") {
            position = next
            advance()
            let size = current
            guard size.isNumber else { throw syntaxError(expected: "a number after \"grain\"", vocabulary: []) }
            advance()
            let grain = Self.number(size)
            guard NoiseProfile.grainRange.contains(grain) else {
                throw rangeError(at: size, expected: "a grain size in [1, 8] pixels (1: white noise)",
                                 found: size.quoted)
            }
            if current.isWord("px") || current.isWord("pixels") { advance() }
            profile.grain = grain
        }
        let setting = RestorationPrompt.Setting.value(profile.midGreySigma(uniform: sigma))
        let tonesMayFollow = profile.tones.isEmpty && profile.grain == 1
        let more = (tonesMayFollow ? ["\"in\" and a tone (shadows, midtones, highlights)"] : [])
            + (profile.grain == 1 ? ["\"grain\" and a size in pixels"] : [])
        let continuation = Continuation(expected: more, vocabulary: more.isEmpty ? [] : ["in", "grain"])
        return (setting, profile == NoiseProfile() ? nil : profile, continuation)
    }

    /// "in TONE" after a σ of `sigma`, the current token being "in".
    private mutating func tone(_ sigma: Double, into profile: inout NoiseProfile) throws(PromptParseError) {
        advance()
        let words = NoiseProfile.Tone.allCases.map(\.word)
        guard case .word(let word) = current.kind,
              let tone = NoiseProfile.Tone.allCases.first(where: { word == $0.word || word + "s" == $0.word }) else {
            throw syntaxError(expected: list(words.map { "\"\($0)\"" }) + " after \"in\"", vocabulary: words)
        }
        guard profile.tones[tone] == nil else {
            throw syntaxError(expected: "a tone not stated yet in this clause", vocabulary: [])
        }
        advance()
        profile.tones[tone] = sigma
    }

    /// Whether the tokens from `index` read "value in": another tone's σ.
    private func toneFollows(_ index: Int) -> Bool {
        guard tokens[index].isNumber else { return false }
        var next = index + 1
        if tokens[next].kind == .slash || tokens[next].kind == .tilde, tokens[next + 1].isNumber { next += 2 }
        return tokens[next].isWord("in")
    }

    /// The index of the first token from the current one that is not a
    /// separator, nil at the end.
    private func nextAfterSeparators() -> Int? {
        var index = position
        while tokens[index].kind == .separator { index += 1 }
        return tokens[index].kind == .end ? nil : index
    }

    /// "Remove all degradation", the current token being "remove".
    private mutating func blindClause() throws(PromptParseError) {
        advance()
        guard current.isWord("all") else {
            throw syntaxError(expected: "\"all\" after \"Remove\"", vocabulary: ["all"])
        }
        advance()
        guard current.isWord("degradation") || current.isWord("degradations") else {
            throw syntaxError(expected: "\"degradation\" after \"all\"", vocabulary: ["degradation"])
        }
        advance()
        prompt.removeAllDegradation = true
    }

    /// Records `setting` (and Denoise's `profile`) for `clause`, which must
    /// agree with an earlier one.
    private mutating func set(_ clause: RestorationClause, _ setting: RestorationPrompt.Setting<Double>,
                              profile: NoiseProfile? = nil, start: PromptToken) throws(PromptParseError) {
        let profileDiffers = clause == .denoise && prompt.denoiseProfile != profile
        if let earlier = prompt[clause], earlier != setting || profileDiffers {
            var later = prompt
            later[clause] = setting
            if clause == .denoise { later.denoiseProfile = profile }
            throw PromptParseError(.contradiction, offset: start.offset, utf8Offset: start.utf8Offset,
                                   expected: "\"\(prompt.canonicalText(clause, earlier))\"",
                                   found: "\"\(later.canonicalText(clause, setting))\"")
        }
        prompt[clause] = setting
        if clause == .denoise { prompt.denoiseProfile = profile }
    }

    // MARK: Numbers

    /// The clause's parameter: a number, a degree interval "lo ~ hi" mapped by
    /// `RestorationClause.value(forDegree:)`, or for Denoise a fraction such as
    /// "15/255"; `introduction` is the word before it, for messages.
    private mutating func value(of clause: RestorationClause,
                                after introduction: String) throws(PromptParseError) -> Double {
        let first = current
        guard first.isNumber else {
            throw syntaxError(expected: "a number after \"\(introduction)\"", vocabulary: [])
        }
        advance()
        if current.kind == .tilde {
            return try degreeInterval(of: clause, from: first)
        }
        if clause == .dejpeg, introduction == "sigma" {
            throw syntaxError(expected: "\"~\" (Dejpeg's \"sigma\" takes DaLPSR's degree interval, "
                              + "such as \"sigma 0 ~ 0.25\"; a JPEG quality is \"quality Q\")",
                              vocabulary: [])
        }
        var number = Self.number(first)
        var found = first.text
        if clause == .denoise, current.kind == .slash {
            advance()
            let denominator = current
            guard denominator.isNumber else {
                throw syntaxError(expected: "a number after \"/\"", vocabulary: [])
            }
            advance()
            number /= Self.number(denominator)
            found += "/" + denominator.text
        }
        guard clause.accepts(number) else {
            throw rangeError(at: first, expected: clause.validRangeDescription, found: "\"\(found)\"")
        }
        return number == 0 ? 0 : number  // -0 reads as 0
    }

    /// "lo ~ hi", the current token being "~" and `first` holding lo.
    private mutating func degreeInterval(of clause: RestorationClause,
                                         from first: PromptToken) throws(PromptParseError) -> Double {
        advance()
        let second = current
        guard second.isNumber else {
            throw syntaxError(expected: "a second degree after \"~\"", vocabulary: [])
        }
        advance()
        let degreeRange = "a normalised degree in [0, 1] (DaLPSR's interval form)"
        let low = Self.number(first), high = Self.number(second)
        guard (0 ... 1).contains(low) else {
            throw rangeError(at: first, expected: degreeRange, found: first.quoted)
        }
        guard (0 ... 1).contains(high) else {
            throw rangeError(at: second, expected: degreeRange, found: second.quoted)
        }
        guard low <= high else {
            throw rangeError(at: first, expected: "the lower degree first",
                             found: "\"\(first.text) ~ \(second.text)\"")
        }
        return clause.value(forDegree: (low + high) / 2)
    }

    /// The value of a number token (infinite when it overflows).
    private static func number(_ token: PromptToken) -> Double {
        guard let value = Double(token.text) else {
            preconditionFailure("the lexer made a number token of \"\(token.text)\"")
        }
        return value
    }

    // MARK: Tokens and errors

    private var current: PromptToken { tokens[position] }

    /// Moves past the current token (never past the end token).
    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    /// A syntax error at the current token, suggesting the nearest of `vocabulary`.
    private func syntaxError(expected: String, vocabulary: [String]) -> PromptParseError {
        var suggestion: String?
        if case .word(let word) = current.kind {
            suggestion = EditDistance.suggestion(for: word, among: vocabulary)
        }
        return PromptParseError(.syntax, offset: current.offset, utf8Offset: current.utf8Offset,
                                expected: expected, found: current.quoted, suggestion: suggestion)
    }

    private func rangeError(at token: PromptToken, expected: String, found: String) -> PromptParseError {
        PromptParseError(.outOfRange, offset: token.offset, utf8Offset: token.utf8Offset,
                         expected: expected, found: found)
    }

    /// "a, b or c".
    private func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
