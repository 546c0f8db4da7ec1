import Testing
@testable import RestoreKitCore

@Suite("Prompt fields")
struct PromptFieldsTests {
    @Test func defaults() throws {
        let fields = PromptFields()
        #expect(fields.semantic == "" && fields.restoration == "" && fields.quality == "")
        #expect(fields.negative == "blurry, dotted, noise, unclear, lowres, over-smoothed")
        #expect(fields[.negative] == PromptFields.defaultNegative)
        #expect(try fields.restorationPrompt().isEmpty)
    }

    @Test func holdsEachField() throws {
        var fields = try PromptFields(semantic: "a red fox in snow", restoration: "denoise 0.05",
                                      quality: "strong noise", negative: "")
        #expect(fields[.semantic] == "a red fox in snow")
        #expect(fields[.restoration] == "denoise 0.05")
        #expect(fields[.quality] == "strong noise")
        #expect(fields[.negative] == "")
        try fields.set(.quality, to: "the background is blurry")
        #expect(fields.quality == "the background is blurry")
        #expect(try fields.restorationPrompt() == RestorationPrompt(denoise: .value(0.05)))
    }

    @Test(arguments: PromptFields.Field.allCases)
    func limitsBytesNotCharacters(_ field: PromptFields.Field) throws {
        var fields = PromptFields()
        try fields.set(field, to: String(repeating: "a", count: 4096))
        #expect(fields[field].utf8.count == 4096)
        // 2049 "é" are 2049 characters but 4098 bytes.
        #expect(throws: RestoreError(.invalidPrompt, "\(field.name) is 4098 bytes long; the limit is 4096 bytes")) {
            try fields.set(field, to: String(repeating: "é", count: 2049))
        }
        #expect(fields[field].utf8.count == 4096)  // unchanged
        // Bytes from C are read only one past the limit: the message cannot say how many there are.
        #expect(throws: RestoreError(.invalidPrompt, "\(field.name) is longer than the limit of 4096 bytes")) {
            try fields.set(field, utf8: Array(repeating: UInt8(ascii: "a"), count: 4097))
        }
    }

    /// The caret of a field that is not UTF-8 or too long, in Unicode scalars (found by the soak test:
    /// restore_prompt_canonical left its error offset unset for these).
    @Test func problemOffsetCountsScalars() {
        #expect(PromptFields.problemOffset(utf8: Array("Deblur é".utf8)) == nil)
        #expect(PromptFields.problemOffset(utf8: Array("Upsampl".utf8) + [0xE9] + Array(" to 2".utf8)) == 7)
        #expect(PromptFields.problemOffset(utf8: Array("é".utf8) + [0xFF]) == 1)
        #expect(PromptFields.problemOffset(utf8: Array(String(repeating: "é", count: 2049).utf8)) == 2048)
        #expect(PromptFields.problemOffset(utf8: Array(repeating: UInt8(ascii: "a"), count: 4096)) == nil)
    }

    @Test func initialiserChecksEveryField() {
        let long = String(repeating: "x", count: 5000)
        #expect(throws: RestoreError(.invalidPrompt, "negative-prompt is 5000 bytes long; the limit is 4096 bytes")) {
            try PromptFields(negative: long)
        }
        #expect(throws: RestoreError(.invalidPrompt, "semantic-prompt is 5000 bytes long; the limit is 4096 bytes")) {
            try PromptFields(semantic: long)
        }
    }

    @Test func validatesUTF8() throws {
        var fields = PromptFields()
        try fields.set(.semantic, utf8: Array("un renard roux, ×2 🦊".utf8))
        #expect(fields.semantic == "un renard roux, ×2 🦊")
        let bad: [(bytes: [UInt8], offset: Int)] = [
            ([0x61, 0xFF], 1),                 // never valid
            ([0x61, 0x62, 0xE2, 0x82], 2),     // truncated three-byte sequence
            ([0xC0, 0xAF], 0),                 // overlong "/"
            ([0xED, 0xA0, 0x80], 0),           // a surrogate
            ([0x80], 0),                       // a lone continuation byte
        ]
        for (bytes, offset) in bad {
            #expect(throws: RestoreError(.invalidPrompt,
                                         "semantic-prompt is not valid UTF-8 (byte \(offset) starts a bad sequence)")) {
                try fields.set(.semantic, utf8: bytes)
            }
        }
        #expect(fields.semantic == "un renard roux, ×2 🦊")  // unchanged
    }

    @Test func restorationPromptErrorsBecomeRestoreErrors() throws {
        let fields = try PromptFields(restoration: "Deblur with sigma")
        #expect(throws: RestoreError(.invalidPrompt, "restoration prompt at character 17: expected a number after "
                                     + "\"sigma\", found the end of the prompt")) {
            try fields.restorationPrompt()
        }
    }
}
