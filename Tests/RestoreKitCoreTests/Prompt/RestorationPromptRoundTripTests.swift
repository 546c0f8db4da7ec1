import Testing
@testable import RestoreKitCore

/// Property tests over random prompts (deterministic: a fixed seed and this
/// file's own generator and samplers, so every run checks the same prompts).
@Suite("Restoration prompt: round trips")
struct RestorationPromptRoundTripTests {
    static let specifications = 10_000
    static let variantsPerSpecification = 3

    /// parse(print(x)) == x for every random specification.
    @Test func canonicalFormRoundTrips() throws {
        var random = Random(seed: 0x5EED_0001)
        for _ in 0 ..< Self.specifications {
            let prompt = random.prompt()
            let text = prompt.description
            let parsed = try RestorationPrompt.parse(text)
            #expect(parsed == prompt, "\(text)")
            #expect(parsed.description == text)
        }
    }

    /// Random spellings of the same specification (clause order, verb forms,
    /// number notation, case, whitespace, separators, repeats) parse to it.
    @Test func variantsParseToTheSameValue() throws {
        var random = Random(seed: 0x5EED_0002)
        for _ in 0 ..< Self.specifications {
            let prompt = random.prompt()
            for _ in 0 ..< Self.variantsPerSpecification {
                let text = random.variant(of: prompt)
                #expect(try RestorationPrompt.parse(text) == prompt, "\(text)")
            }
        }
    }

    @Test func generatorCoversEveryForm() {
        var random = Random(seed: 0x5EED_0002)
        var seen = Set<String>()
        for _ in 0 ..< 2000 {
            let text = random.variant(of: random.prompt()).lowercased()
            for form in ["with sigma", "with quality", "upscale", "upsample", "by", "×", "/255", "~", "e-",
                         ";", ".", "and", "\t", "\n", "degradations", "remove", "in shadows", "in highlight ",
                         "grain", "px"] where text.contains(form) {
                seen.insert(form)
            }
        }
        #expect(seen.count == 20, "\(seen)")
    }
}

/// SplitMix64 (`TestRandom`) with samplers built from its bits alone.
private struct Random {
    private var generator: TestRandom

    init(seed: UInt64) { generator = TestRandom(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in 0 ..< n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Uniform in [0, 1), 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }

    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var items = items
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, below(i + 1)) }
        return items
    }

    // MARK: Specifications

    mutating func prompt() -> RestorationPrompt {
        var prompt = RestorationPrompt()
        for clause in RestorationClause.allCases {
            switch below(3) {
            case 0: prompt[clause] = nil
            case 1: prompt[clause] = .estimate
            default: prompt[clause] = .value(value(of: clause))
            }
        }
        if case .value(let sigma) = prompt.denoise, chance(3) {
            var profile = NoiseProfile()
            for tone in shuffled(NoiseProfile.Tone.allCases).prefix(pick([0, 2, 3])) {
                profile.tones[tone] = value(of: .denoise)
            }
            if profile.tones.isEmpty || chance(2) {
                profile.grain = pick([2, 8, 1 + unit() * 7, Double(101 + below(700)) / 100, Double(1).nextUp])
            }
            prompt.denoise = .value(profile.midGreySigma(uniform: sigma))
            prompt.denoiseProfile = profile
        }
        prompt.removeAllDegradation = chance(4)
        return prompt
    }

    /// A valid value: arbitrary doubles, short decimals, DaLPSR degrees and edge cases.
    mutating func value(of clause: RestorationClause) -> Double {
        if chance(6) { return clause.value(forDegree: unit()) }
        switch clause {
        case .deblur:
            switch below(4) {
            case 0: return 10 - unit() * 10
            case 1: return Double(1 + below(1000)) / 100
            case 2: return 0.2 + unit() * 2.8
            default: return pick([10, Double(10).nextDown, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                  1e-5, 0.1 + 0.2, 3])
            }
        case .upsample:
            switch below(4) {
            case 0: return 1 + unit() * 7
            case 1: return Double(1 + below(8))
            case 2: return Double(100 + below(701)) / 100
            default: return pick([1, 8, Double(8).nextDown, Double(1).nextUp])
            }
        case .denoise:
            switch below(5) {
            case 0: return unit()
            case 1: return Double(below(256)) / 255
            case 2: return Double(below(121)) / 1000
            case 3: return unit() * 0.12
            default: return pick([0, 1, .leastNonzeroMagnitude, 1e-7, Double(1).nextDown, 2.5e-5])
            }
        case .dejpeg:
            return Double(1 + below(100))
        }
    }

    // MARK: Spellings

    /// `prompt` written some other way than the canonical form.
    mutating func variant(of prompt: RestorationPrompt) -> String {
        var clauses: [[String]] = []
        for clause in RestorationClause.allCases {
            guard let setting = prompt[clause] else { continue }
            let profile = clause == .denoise ? prompt.denoiseProfile : nil
            clauses.append(words(clause, setting, profile: profile))
            if chance(8) { clauses.append(words(clause, setting, profile: profile)) }
        }
        if prompt.removeAllDegradation {
            clauses.append(["remove", "all", pick(["degradation", "degradations"])])
        }
        var pieces: [String] = chance(8) ? separators() : []
        for (index, clause) in shuffled(clauses).enumerated() {
            if index > 0 { pieces += separators() }
            pieces += clause
        }
        if chance(4) { pieces += separators() }
        var text = ""
        for piece in pieces {
            text += spacing(between: text, and: piece) + piece
        }
        if chance(4) { text += pick([" ", "\n", "\t "]) }
        return String(text.map { chance(2) ? Character($0.uppercased()) : $0 })
    }

    private mutating func words(_ clause: RestorationClause, _ setting: RestorationPrompt.Setting<Double>,
                                profile: NoiseProfile?) -> [String] {
        let verb = clause.verb.lowercased()
        guard let value = setting.value else {
            return clause == .upsample ? [pick(["upsample", "upscale"])] : [verb]
        }
        if let profile { return noiseWords(value, profile) }
        let interval = chance(2) ? degreeInterval(value, clause) : nil
        let number = interval ?? [numeral(value, clause)]
        switch clause {
        case .deblur, .denoise:
            return pick([[verb, "with", "sigma"] + number, [verb, "sigma"] + number, [verb] + number])
        case .dejpeg:
            let word = interval == nil ? "quality" : pick(["quality", "sigma"])
            return pick([[verb, "with", word] + number, [verb, word] + number, [verb] + number])
        case .upsample:
            let verb = pick(["upsample", "upscale"])
            return pick([[verb, "to"] + number, [verb, "by"] + number, [verb] + number, [verb] + number + ["x"],
                         [verb, "×"] + number, [verb, "x"] + number, [verb, "to"] + number + ["×"],
                         ["x"] + number, ["×"] + number, number + ["x"], number + ["×"]])
        }
    }

    /// A Denoise clause with a noise profile: tones in any order, each "σ in
    /// TONE" (singular or plural) with or without separators, then the grain.
    private mutating func noiseWords(_ sigma: Double, _ profile: NoiseProfile) -> [String] {
        var words = pick([["denoise", "with", "sigma"], ["denoise", "sigma"], ["denoise"]])
        let tones = shuffled(Array(profile.tones.keys))
        if tones.isEmpty { words.append(numeral(sigma, .denoise)) }
        for (index, tone) in tones.enumerated() {
            if index > 0, chance(2) { words += separators() }
            words += [numeral(profile.tones[tone]!, .denoise), "in", pick([tone.word, String(tone.word.dropLast())])]
        }
        if profile.grain != 1 {
            if chance(2) { words += separators() }
            words += ["grain", numeral(profile.grain, .upsample)] + (chance(3) ? [pick(["px", "pixels"])] : [])
        }
        return words
    }

    /// `value` as a number the grammar reads back exactly: plain decimal,
    /// Swift's own form (maybe with an exponent), a whole number, or k/255.
    private mutating func numeral(_ value: Double, _ clause: RestorationClause) -> String {
        var forms = [value.plainDecimalDescription, value.description]
        if value == value.rounded() { forms.append(String(Int(value))) }
        let k = (value * 255).rounded()
        if clause == .denoise, k / 255 == value { forms.append("\(Int(k))/255") }
        return pick(forms)
    }

    /// A DaLPSR interval "lo ~ hi" whose midpoint degree maps to `value`, when
    /// there is one: "d ~ d", "0 ~ 2d" or "2d−1 ~ 1" (all exact in binary).
    private mutating func degreeInterval(_ value: Double, _ clause: RestorationClause) -> [String]? {
        let range = clause.trainedRange
        let span = range.upperBound - range.lowerBound
        let degree = clause == .dejpeg ? (range.upperBound - value) / span : (value - range.lowerBound) / span
        guard (0 ... 1).contains(degree), clause.value(forDegree: degree) == value else { return nil }
        switch below(3) {
        case 0: return [degree.description, "~", degree.description]
        case 1 where degree <= 0.5: return ["0", "~", (2 * degree).description]
        default: return degree >= 0.5 ? [(2 * degree - 1).description, "~", "1"]
                                      : [degree.description, "~", degree.description]
        }
    }

    private mutating func separators() -> [String] {
        pick([[","], [";"], ["."], ["and"], [",", "and"], [";", ";"], [".", ","]])
    }

    /// Whitespace to put between `text` and `piece`: possibly none, unless the
    /// two would then read as one token (two words, two numbers, "2" ".5").
    private mutating func spacing(between text: String, and piece: String) -> String {
        let space = pick(["", " ", "  ", "\t", "\n", " \t "])
        guard space.isEmpty, let left = text.last, let right = piece.first else { return space }
        let joins = (left.isLetter && right.isLetter)
            || ((left.isNumber || left == ".") && right.isNumber)
        return joins ? " " : ""
    }
}
