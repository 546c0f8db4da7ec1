import Testing
@testable import RestoreKitCore

/// Every class of mistake: where it is reported, what was expected, and the
/// suggestion for near misses.
@Suite("Restoration prompt: errors")
struct PromptParseErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var error: PromptParseError
        var testDescription: String { "\"\(text)\"" }

        init(_ text: String, _ kind: PromptParseError.Kind, at offset: Int, utf8 utf8Offset: Int? = nil,
             expected: String, found: String, suggestion: String? = nil) {
            self.text = text
            error = PromptParseError(kind, offset: offset, utf8Offset: utf8Offset ?? offset,
                                     expected: expected, found: found, suggestion: suggestion)
        }
    }

    static let clause = "a clause (Deblur, Upsample, Denoise, Dejpeg or Remove all degradation)"
    static let separatorOrEnd = "a separator (\",\", \";\", \".\", \"and\") or the end of the prompt"
    static let afterSigmaVerb = "\"with sigma\", a number, " + separatorOrEnd
    static let degree = "a normalised degree in [0, 1] (DaLPSR's interval form)"
    static let end = "the end of the prompt"

    static let nearMisses: [Case] = [
        Case("deblurr", .syntax, at: 0, expected: clause, found: "\"deblurr\"", suggestion: "Deblur"),
        Case("Denose with sigma 0.1", .syntax, at: 0, expected: clause, found: "\"Denose\"", suggestion: "Denoise"),
        Case("dejepg 40", .syntax, at: 0, expected: clause, found: "\"dejepg\"", suggestion: "Dejpeg"),
        Case("upsampel to 2", .syntax, at: 0, expected: clause, found: "\"upsampel\"", suggestion: "Upsample"),
        Case("Deblur, remve all degradation", .syntax, at: 8, expected: clause, found: "\"remve\"",
             suggestion: "Remove"),
        Case("Deblur wiht sigma 2", .syntax, at: 7, expected: afterSigmaVerb, found: "\"wiht\"",
             suggestion: "with"),
        Case("Deblur with sigam 2", .syntax, at: 12, expected: "\"sigma\" after \"with\"", found: "\"sigam\"",
             suggestion: "sigma"),
        Case("Dejpeg with qualty 40", .syntax, at: 12, expected: "\"quality\" or \"sigma\" after \"with\"",
             found: "\"qualty\"", suggestion: "quality"),
        Case("Upsample ot 2", .syntax, at: 9, expected: "\"to\", a factor such as \"2x\", " + separatorOrEnd,
             found: "\"ot\""),
        Case("Deblur with sigma 2 adn denoise", .syntax, at: 20, expected: separatorOrEnd, found: "\"adn\"",
             suggestion: "and"),
        Case("Remove alll degradation", .syntax, at: 7, expected: "\"all\" after \"Remove\"", found: "\"alll\"",
             suggestion: "all"),
        Case("Remove all degradaton", .syntax, at: 11, expected: "\"degradation\" after \"all\"",
             found: "\"degradaton\"", suggestion: "degradation"),
        // Offsets count Unicode scalars; the UTF-8 offset counts bytes ("×" is two).
        Case("×2, déblurr", .syntax, at: 4, utf8: 5, expected: clause, found: "\"déblurr\"", suggestion: "Deblur"),
    ]

    static let syntax: [Case] = [
        Case("Sharpen", .syntax, at: 0, expected: clause, found: "\"Sharpen\""),
        Case("Deblur Denoise", .syntax, at: 7, expected: afterSigmaVerb, found: "\"Denoise\""),
        Case("Deblur with sigma", .syntax, at: 17, expected: "a number after \"sigma\"", found: end),
        Case("Deblur with sigma two", .syntax, at: 18, expected: "a number after \"sigma\"", found: "\"two\""),
        Case("Deblur with 2", .syntax, at: 12, expected: "\"sigma\" after \"with\"", found: "\"2\""),
        Case("Denoise with sigma .5", .syntax, at: 19, expected: "a number after \"sigma\"", found: "\".\""),
        Case("Upsample to", .syntax, at: 11, expected: "a number after \"to\"", found: end),
        Case("Upscale x", .syntax, at: 9, expected: "a number after \"x\"", found: end),
        Case("×", .syntax, at: 1, utf8: 2, expected: "a number after \"×\"", found: end),
        Case("2", .syntax, at: 1, expected: "\"x\" or \"×\" after \"2\" (a scale such as \"2x\")", found: end),
        Case("Deblur with sigma 0.5 ~", .syntax, at: 23, expected: "a second degree after \"~\"", found: end),
        Case("Dejpeg with sigma 0.25", .syntax, at: 22,
             expected: "\"~\" (Dejpeg's \"sigma\" takes DaLPSR's degree interval, such as \"sigma 0 ~ 0.25\"; "
                 + "a JPEG quality is \"quality Q\")",
             found: end),
        Case("Denoise with sigma 15/", .syntax, at: 22, expected: "a number after \"/\"", found: end),
        Case("Deblur 1/2", .syntax, at: 8, expected: separatorOrEnd, found: "\"/\""),
        Case("Deblur with sigma 2 3", .syntax, at: 20, expected: separatorOrEnd, found: "\"3\""),
        Case("Deblur - 2", .syntax, at: 7, expected: afterSigmaVerb, found: "\"-\""),
        Case("Deblur @", .syntax, at: 7, expected: afterSigmaVerb, found: "\"@\""),
        Case("Remove", .syntax, at: 6, expected: "\"all\" after \"Remove\"", found: end),
        Case("Remove all", .syntax, at: 10, expected: "\"degradation\" after \"all\"", found: end),
        Case("\u{1F600} Deblur", .syntax, at: 0, expected: clause, found: "\"\u{1F600}\""),
        Case("Deblur \u{1F600}", .syntax, at: 7, expected: afterSigmaVerb, found: "\"\u{1F600}\""),
        Case("x2 \u{1F600}", .syntax, at: 3, expected: separatorOrEnd, found: "\"\u{1F600}\""),
        Case("Denoise with sigma 0.05 in shadwos, 0.02 in highlights", .syntax, at: 27,
             expected: "\"shadows\", \"midtones\" or \"highlights\" after \"in\"", found: "\"shadwos\"",
             suggestion: "shadows"),
        Case("Denoise with sigma 0.05 in shadows", .syntax, at: 34,
             expected: "a second tone after \"in shadows\" (such as \", 0.02 in highlights\"): "
                 + "one tone alone is a single sigma", found: end),
        Case("Denoise 0.05 in shadows, 0.02 in shadows", .syntax, at: 33,
             expected: "a tone not stated yet in this clause", found: "\"shadows\""),
        Case("Denoise 0.05, grain", .syntax, at: 19, expected: "a number after \"grain\"", found: end),
        Case("Denoise 0.05 fine grain", .syntax, at: 13,
             expected: "\"in\" and a tone (shadows, midtones, highlights), \"grain\" and a size in pixels, "
                 + separatorOrEnd, found: "\"fine\""),
        Case("Denoise 0.05 in shadows, 0.02 in highlights 3", .syntax, at: 44,
             expected: "\"grain\" and a size in pixels, " + separatorOrEnd, found: "\"3\""),
        Case("Denoise 0.05, grain 2 px 3", .syntax, at: 25, expected: separatorOrEnd, found: "\"3\""),
        Case("Denoise, grain 2", .syntax, at: 9,
             expected: clause + " (a grain or tone follows Denoise's sigma, as in "
                 + "\"Denoise with sigma 0.05 in shadows, 0.03 in highlights, grain 2\")", found: "\"grain\""),
    ]

    static let outOfRange: [Case] = [
        Case("Deblur with sigma 12", .outOfRange, at: 18, expected: "a blur sigma in (0, 10] pixels",
             found: "\"12\""),
        Case("Deblur with sigma 0", .outOfRange, at: 18, expected: "a blur sigma in (0, 10] pixels",
             found: "\"0\""),
        Case("Deblur with sigma -1", .outOfRange, at: 18, expected: "a blur sigma in (0, 10] pixels",
             found: "\"-1\""),
        Case("Deblur 1e999", .outOfRange, at: 7, expected: "a blur sigma in (0, 10] pixels", found: "\"1e999\""),
        Case("Upsample to 0.5", .outOfRange, at: 12, expected: "a scale factor in [1, 8]", found: "\"0.5\""),
        Case("upscale 9x", .outOfRange, at: 8, expected: "a scale factor in [1, 8]", found: "\"9\""),
        Case("x 10", .outOfRange, at: 2, expected: "a scale factor in [1, 8]", found: "\"10\""),
        Case("Denoise with sigma 1.5", .outOfRange, at: 19,
             expected: "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)", found: "\"1.5\""),
        Case("Denoise with sigma 300/255", .outOfRange, at: 19,
             expected: "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)", found: "\"300/255\""),
        Case("Denoise 1/0", .outOfRange, at: 8,
             expected: "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)", found: "\"1/0\""),
        Case("Denoise 0/0", .outOfRange, at: 8,
             expected: "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)", found: "\"0/0\""),
        Case("Dejpeg with quality 0", .outOfRange, at: 20, expected: "a whole-number JPEG quality in 1–100",
             found: "\"0\""),
        Case("Dejpeg with quality 101", .outOfRange, at: 20, expected: "a whole-number JPEG quality in 1–100",
             found: "\"101\""),
        Case("Dejpeg with quality 40.5", .outOfRange, at: 20, expected: "a whole-number JPEG quality in 1–100",
             found: "\"40.5\""),
        Case("Dejpeg -5", .outOfRange, at: 7, expected: "a whole-number JPEG quality in 1–100", found: "\"-5\""),
        Case("Deblur with sigma 0.5 ~ 1.5", .outOfRange, at: 24, expected: degree, found: "\"1.5\""),
        Case("Deblur with sigma 2 ~ 3", .outOfRange, at: 18, expected: degree, found: "\"2\""),
        Case("Dejpeg with sigma -0.5 ~ 0", .outOfRange, at: 18, expected: degree, found: "\"-0.5\""),
        Case("Deblur with sigma 0.75 ~ 0.5", .outOfRange, at: 18, expected: "the lower degree first",
             found: "\"0.75 ~ 0.5\""),
        Case("Denoise 0.05 in shadows, 1.5 in highlights", .outOfRange, at: 25,
             expected: "a noise sigma in [0, 1] (image units: 0.05 ≈ 13/255)", found: "\"1.5\""),
        Case("Denoise 0.05, grain 0.5", .outOfRange, at: 20,
             expected: "a grain size in [1, 8] pixels (1: white noise)", found: "\"0.5\""),
        Case("Denoise 0.05, grain 9 px", .outOfRange, at: 20,
             expected: "a grain size in [1, 8] pixels (1: white noise)", found: "\"9\""),
    ]

    static let contradictions: [Case] = [
        Case("Upsample to 2 and Upsample to 4", .contradiction, at: 18, expected: "\"Upsample to 2\"",
             found: "\"Upsample to 4\""),
        Case("Denoise with sigma 0.05, Denoise with sigma 0.06", .contradiction, at: 25,
             expected: "\"Denoise with sigma 0.05\"", found: "\"Denoise with sigma 0.06\""),
        Case("Deblur, Deblur 2", .contradiction, at: 8, expected: "\"Deblur\"", found: "\"Deblur with sigma 2.0\""),
        Case("x2, 3x", .contradiction, at: 4, expected: "\"Upsample to 2\"", found: "\"Upsample to 3\""),
        Case("Dejpeg 40; dejpeg with quality 50", .contradiction, at: 11, expected: "\"Dejpeg with quality 40\"",
             found: "\"Dejpeg with quality 50\""),
        Case("Dejpeg with sigma 0 ~ 0.25, Dejpeg 83", .contradiction, at: 28,
             expected: "\"Dejpeg with quality 84\"", found: "\"Dejpeg with quality 83\""),
        Case("Denoise 0.05, Denoise 0.05, grain 2", .contradiction, at: 14,
             expected: "\"Denoise with sigma 0.05\"", found: "\"Denoise with sigma 0.05, grain 2\""),
        Case("Denoise 0.04 in shadows, 0.02 in highlights; Denoise 0.04 in shadows, 0.03 in highlights",
             .contradiction, at: 45, expected: "\"Denoise with sigma 0.04 in shadows, 0.02 in highlights\"",
             found: "\"Denoise with sigma 0.04 in shadows, 0.03 in highlights\""),
        Case("×2, ×4", .contradiction, at: 4, utf8: 5, expected: "\"Upsample to 2\"", found: "\"Upsample to 4\""),
    ]

    @Test(arguments: nearMisses + syntax + outOfRange + contradictions)
    func reports(_ c: Case) {
        #expect(throws: c.error) { try RestorationPrompt.parse(c.text) }
    }

    @Test func messageNamesPlaceExpectationAndFind() {
        let error = PromptParseError(.syntax, offset: 17, utf8Offset: 17, expected: "a number after \"sigma\"",
                                     found: "the end of the prompt")
        #expect(error.message == "at character 17: expected a number after \"sigma\", found the end of the prompt")
        #expect(error.description == error.message)
    }

    @Test func messageOffersTheSuggestion() {
        let error = #expect(throws: PromptParseError.self) { try RestorationPrompt.parse("deblurr with sigma 2") }
        #expect(error?.message == "at character 0: expected \(Self.clause), found \"deblurr\"; "
            + "did you mean \"Deblur\"?")
    }

    @Test func messageOfARangeError() {
        let error = #expect(throws: PromptParseError.self) { try RestorationPrompt.parse("Deblur with sigma 12") }
        #expect(error?.message == "at character 18: expected a blur sigma in (0, 10] pixels, found \"12\"")
    }

    @Test func messageOfAContradiction() {
        let error = #expect(throws: PromptParseError.self) {
            try RestorationPrompt.parse("Upsample to 2 and Upsample to 4")
        }
        #expect(error?.message == "at character 18: \"Upsample to 4\" contradicts the earlier \"Upsample to 2\"")
    }

    @Test func convertsToRestoreError() {
        let error = PromptParseError(.syntax, offset: 7, utf8Offset: 7, expected: "a number after \"sigma\"",
                                     found: "\"x\"")
        #expect(error.restoreError == RestoreError(
            .invalidPrompt, "restoration prompt at character 7: expected a number after \"sigma\", found \"x\""))
    }
}
