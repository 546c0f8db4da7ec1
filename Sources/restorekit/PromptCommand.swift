import ArgumentParser
import RestoreKitCore

struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Check a restoration prompt and print its canonical form.",
        discussion: """
            Prints e.g. "Deblur with sigma 1.5, Upsample to 2" for "deblur 1.5 and upscale 2x". \
            A mistake is reported on standard error with a caret under it (exit status 1). \
            The language is described in docs/prompt-language.md.
            """)

    @Argument(help: "The restoration prompt; several arguments are joined with spaces.")
    var text: [String]

    func run() throws {
        let text = self.text.joined(separator: " ")
        let prompt = try reportingErrors { () throws -> RestorationPrompt in
            do throws(PromptParseError) {
                return try RestorationPrompt.parse(text)
            } catch {
                let (line, caret) = pointer(into: text, atUTF8Offset: error.utf8Offset)
                throw RestoreError(.invalidPrompt, "\(error.restoreError.message)\n  \(line)\n  \(caret)")
            }
        }
        print(prompt)
    }

    /// The line of `text` holding byte `offset`, and a line with a caret under
    /// that byte's character (tabs kept so the caret lines up).
    private func pointer(into text: String, atUTF8Offset offset: Int) -> (line: String, caret: String) {
        let bytes = Array(text.utf8)
        let start = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let line = String(decoding: bytes[start ..< end], as: UTF8.self)
        let before = String(decoding: bytes[start ..< offset], as: UTF8.self)
        return (line, String(before.map { $0 == "\t" ? "\t" : " " }) + "^")
    }
}
