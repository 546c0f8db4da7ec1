import Foundation
import Testing
@testable import RestoreKitCore

/// The CLIP tokenizer on tiny vocabularies written to a temporary folder: what it
/// encodes, and that damaged folders give `RestoreError(.model)` naming the file
/// (parity with transformers on the real vocabulary is Tests/Diffusion/check_tokenizer.py).
@Suite struct CLIPTokenizerTests {
    static let merges = ["c a", "ca t</w>", "h i</w>"]

    /// The byte symbols, the same with `</w>`, the joins of `merges`, then the special tokens.
    static func vocabulary(merges: [String] = merges) -> [String] {
        let bytes = BytePairEncoding.standInOrder.map { String(BytePairEncoding.standIns[Int($0)]) }
        return bytes + bytes.map { $0 + "</w>" } + merges.map { $0.replacingOccurrences(of: " ", with: "") }
            + ["<|startoftext|>", "<|endoftext|>"]
    }

    /// vocab.json text (the stand-ins are printable, so only quotes and backslashes need escapes).
    static func json(_ tokens: [String]) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined() + "\""
        }
        return "{" + tokens.enumerated().map { "\(quoted($1)): \($0)" }.joined(separator: ", ") + "}"
    }

    /// A tokenizer folder; each file's text can be replaced, or the file left out (nil).
    func folder(vocab: String? = json(vocabulary()), merges: String? = "#version: 0.2\n" + merges.joined(separator: "\n") + "\n",
                config: String? = #"{"model_max_length": 8, "pad_token": "<|endoftext|>"}"#) throws -> String {
        let dir = try TestSupport.makeFolder()
        for (name, text) in [("vocab.json", vocab), ("merges.txt", merges), ("tokenizer_config.json", config)] {
            if let text { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        }
        return dir
    }

    func id(_ token: String) -> Int { Self.vocabulary().firstIndex(of: token)! }

    @Test func encodesFramesAndPads() throws {
        let dir = try folder()
        defer { TestSupport.removeFolder(dir) }
        let tokenizer = try CLIPTokenizer(folder: dir)
        let start = id("<|startoftext|>"), end = id("<|endoftext|>")
        #expect(tokenizer.maximumLength == 8)
        #expect(tokenizer.encode("A  Cat\thi") == [start, id("a</w>"), id("cat</w>"), id("hi</w>"), end, end, end, end])
        #expect(tokenizer.encode("") == [start] + Array(repeating: end, count: 7))
        // Cut to six tokens so that the end token fits.
        #expect(tokenizer.encode("hi hi hi hi hi hi hi") == [start] + Array(repeating: id("hi</w>"), count: 6) + [end])
        #expect(tokenizer.tokenIDs("hi <|endoftext|>cat") == [id("hi</w>"), end, id("cat</w>")])
        #expect(tokenizer.encode(["cat", "hi"]) == [tokenizer.encode("cat"), tokenizer.encode("hi")])
    }

    @Test func padTokenIsAddedAndCutsThePrompt() throws {
        let dir = try folder(config: #"{"model_max_length": 6, "pad_token": "!"}"#)
        defer { TestSupport.removeFolder(dir) }
        let tokenizer = try CLIPTokenizer(folder: dir)
        #expect(tokenizer.padID == id("!"))
        // "!" is cut out before normalizing, so "hi!" is "hi" then the pad token.
        #expect(tokenizer.encode("hi!") == [id("<|startoftext|>"), id("hi</w>"), id("!"), id("<|endoftext|>"), id("!"), id("!")])
        let list = try CLIPTokenizer(mergesList: Array(("#version: 0.2\n" + Self.merges.joined(separator: "\n")).utf8),
                                     file: "merges", padToken: "!", maximumLength: 6)
        #expect(list.encode("hi! A cat") == tokenizer.encode("hi! A cat"))
    }

    @Test func olderLayoutTakesSpecialTokensMap() throws {
        // Without added_tokens_decoder, special_tokens_map.json overrides the configuration.
        let dir = try folder(config: #"{"model_max_length": 6, "pad_token": "<|endoftext|>", "do_lower_case": true}"#)
        defer { TestSupport.removeFolder(dir) }
        let map = dir + "/special_tokens_map.json"
        try #"{"pad_token": "!", "bos_token": {"content": "<|startoftext|>", "lstrip": false}}"#
            .write(toFile: map, atomically: true, encoding: .utf8)
        #expect(try CLIPTokenizer(folder: dir).padID == id("!"))
        try #"{"pad_token": 7}"#.write(toFile: map, atomically: true, encoding: .utf8)
        expectModelError(naming: "special_tokens_map.json") { _ = try CLIPTokenizer(folder: dir) }
        try #"{"pad_token": {"content": "!", "rstrip": true}}"#.write(toFile: map, atomically: true, encoding: .utf8)
        let error = #expect(throws: RestoreError.self) { _ = try CLIPTokenizer(folder: dir) }
        #expect(error?.kind == .unsupported && error?.message.contains("rstrip") == true)
    }

    /// Asserts a `.model` error whose message names `file`.
    func expectModelError(naming file: String, _ body: () throws -> Void) {
        let error = #expect(throws: RestoreError.self) { try body() }
        #expect(error?.kind == .model)
        #expect(error?.message.contains(file) == true, "\(error?.message ?? "no error") does not name \(file)")
    }

    @Test func missingFilesNameTheFile() throws {
        for (name, dir) in [("vocab.json", try folder(vocab: nil)), ("merges.txt", try folder(merges: nil)),
                            ("tokenizer_config.json", try folder(config: nil))] {
            defer { TestSupport.removeFolder(dir) }
            expectModelError(naming: name) { _ = try CLIPTokenizer(folder: dir) }
        }
        expectModelError(naming: "/nonexistent/restorekit-tokenizer/vocab.json") {
            _ = try CLIPTokenizer(folder: "/nonexistent/restorekit-tokenizer")
        }
    }

    @Test func damagedVocabularyNamesVocabJSON() throws {
        var missingByte = Self.vocabulary()
        missingByte.removeAll { $0 == "q</w>" }
        var missingJoin = Self.vocabulary()
        missingJoin.removeAll { $0 == "cat</w>" }
        for vocab in ["{\"a\": 1", "[1, 2]", #"{"a": "one"}"#, #"{"a": -1}"#, Self.json(missingByte), Self.json(missingJoin)] {
            let dir = try folder(vocab: vocab)
            defer { TestSupport.removeFolder(dir) }
            expectModelError(naming: "vocab.json") { _ = try CLIPTokenizer(folder: dir) }
        }
    }

    @Test func malformedMergesNameTheLine() throws {
        for (merges, line) in [("#version: 0.2\nc a\nca t</w> x\n", "line 3"), ("#version: 0.2\nc a\n\nh i</w>", "line 3"),
                               ("#version: 0.2\nc\n", "line 2"), ("#version: 0.2\r\nc a\r\nx y\r\n", "line 3")] {
            let dir = try folder(merges: merges)
            defer { TestSupport.removeFolder(dir) }
            expectModelError(naming: "merges.txt") { _ = try CLIPTokenizer(folder: dir) }
            let error = #expect(throws: RestoreError.self) { _ = try CLIPTokenizer(folder: dir) }
            #expect(error?.message.contains(line) == true, "\(error?.message ?? "") does not name \(line)")
        }
        let dir = try folder()
        defer { TestSupport.removeFolder(dir) }
        try Data([0x23, 0x0A, 0x63, 0xFF, 0x20, 0x61]).write(to: URL(fileURLWithPath: dir + "/merges.txt"))
        expectModelError(naming: "merges.txt") { _ = try CLIPTokenizer(folder: dir) }
        expectModelError(naming: "list.txt") { _ = try CLIPTokenizer(mergesList: Array("#\nc a b".utf8), file: "list.txt") }
    }

    @Test func badSettingsNameTheConfiguration() throws {
        for config in ["[]", #"{"pad_token": "<|pad|>"}"#, #"{"model_max_length": 1}"#, #"{"model_max_length": "77"}"#,
                       #"{"bos_token": 3}"#, #"{"added_tokens_decoder": {"x": {"content": "!"}}}"#, "{"] {
            let dir = try folder(config: config)
            defer { TestSupport.removeFolder(dir) }
            expectModelError(naming: "tokenizer_config.json") { _ = try CLIPTokenizer(folder: dir) }
        }
    }
}
