import Testing
@testable import RestoreKitCore

/// The canonical printer and the plain-decimal numbers it writes.
@Suite("Restoration prompt: canonical form")
struct RestorationPromptDescriptionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var prompt: RestorationPrompt
        var text: String
        var testDescription: String { "\"\(text)\"" }

        init(_ prompt: RestorationPrompt, _ text: String) {
            self.prompt = prompt
            self.text = text
        }
    }

    static let cases: [Case] = [
        Case(RestorationPrompt(), ""),
        Case(RestorationPrompt(deblur: .value(2), upsample: .value(2), denoise: .value(0.05), dejpeg: .value(40)),
             "Deblur with sigma 2.0, Upsample to 2, Denoise with sigma 0.05, Dejpeg with quality 40"),
        Case(RestorationPrompt(deblur: .estimate, upsample: .estimate, denoise: .estimate, dejpeg: .estimate),
             "Deblur, Upsample, Denoise, Dejpeg"),
        Case(RestorationPrompt(removeAllDegradation: true), "Remove all degradation"),
        Case(RestorationPrompt(deblur: .value(1.5), removeAllDegradation: true),
             "Deblur with sigma 1.5, Remove all degradation"),
        Case(RestorationPrompt(upsample: .value(2.5)), "Upsample to 2.5"),
        Case(RestorationPrompt(upsample: .value(8)), "Upsample to 8"),
        Case(RestorationPrompt(denoise: .value(0)), "Denoise with sigma 0.0"),
        Case(RestorationPrompt(denoise: .value(1e-5)), "Denoise with sigma 0.00001"),
        Case(RestorationPrompt(denoise: .value(15.0 / 255)), "Denoise with sigma 0.058823529411764705"),
        Case(RestorationPrompt(deblur: .value(0.1 + 0.2)), "Deblur with sigma 0.30000000000000004"),
        Case(RestorationPrompt(dejpeg: .value(92)), "Dejpeg with quality 92"),
    ]

    @Test(arguments: cases)
    func prints(_ c: Case) throws {
        #expect(c.prompt.description == c.text)
        #expect(try RestorationPrompt.parse(c.text) == c.prompt)
    }

    static let decimals: [(Double, String)] = [
        (0.1, "0.1"), (2, "2.0"), (0, "0.0"), (-2.5, "-2.5"),
        (1e-05, "0.00001"), (1.5e-07, "0.00000015"), (-2.5e-05, "-0.000025"),
        (1e16, "10000000000000000.0"), (1.2345e20, "123450000000000000000.0"),
        (.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5"),
        (.infinity, "inf"), (.nan, "nan"),
    ]

    @Test(arguments: decimals)
    func plainDecimal(_ value: Double, _ text: String) {
        #expect(value.plainDecimalDescription == text)
        if value.isFinite { #expect(Double(text) == value) }
    }
}
