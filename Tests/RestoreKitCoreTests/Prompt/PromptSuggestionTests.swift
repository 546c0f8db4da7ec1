import Testing
@testable import RestoreKitCore

/// The edit distance behind "did you mean …?".
@Suite("Restoration prompt: suggestions")
struct PromptSuggestionTests {
    static let distances: [(String, String, Int)] = [
        ("deblurr", "deblur", 1), ("dejepg", "dejpeg", 1), ("denose", "denoise", 1),
        ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("ca", "abc", 3), ("same", "same", 0),
        ("déblur", "deblur", 1),
    ]

    @Test(arguments: distances)
    func editDistance(_ a: String, _ b: String, _ distance: Int) {
        #expect(EditDistance.between(a, b) == distance)
        #expect(EditDistance.between(b, a) == distance)
    }

    @Test func suggestions() {
        let verbs = ["Deblur", "Upsample", "Denoise", "Dejpeg"]
        #expect(EditDistance.suggestion(for: "DEBLURR", among: verbs) == "Deblur")
        #expect(EditDistance.suggestion(for: "dblr", among: verbs) == nil)       // 2 edits: too far for 4 letters
        #expect(EditDistance.suggestion(for: "upsmple", among: verbs) == "Upsample")
        #expect(EditDistance.suggestion(for: "deblur", among: verbs) == nil)     // exact: not a near miss
        #expect(EditDistance.suggestion(for: "ot", among: ["to"]) == nil)        // too short to guess
        #expect(EditDistance.suggestion(for: "sharpen", among: verbs) == nil)
        #expect(EditDistance.suggestion(for: "dexxxx", among: ["dexyyy", "dexxyy"]) == "dexxyy")
        #expect(EditDistance.suggestion(for: "abcd", among: ["abce", "abcf"]) == "abce")
    }
}
