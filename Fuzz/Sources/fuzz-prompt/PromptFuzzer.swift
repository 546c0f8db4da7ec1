import RestoreKitCore

/// The restoration prompt parser on arbitrary bytes (as UTF-8, invalid
/// sequences replaced): a prompt that parses prints back canonically and reads
/// back equal; one that does not is refused with a located, non-empty message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrompt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do throws(PromptParseError) {
        let prompt = try RestorationPrompt.parse(text)
        let canonical = String(describing: prompt)
        let again = try RestorationPrompt.parse(canonical)
        precondition(again == prompt && String(describing: again) == canonical,
                     "\(text.debugDescription) prints as \(canonical.debugDescription), which reads back differently")
    } catch {
        precondition(!error.message.isEmpty, "an error without a message for \(text.debugDescription)")
        precondition((0 ... text.unicodeScalars.count).contains(error.offset)
                     && (0 ... text.utf8.count).contains(error.utf8Offset),
                     "error position \(error.offset) (byte \(error.utf8Offset)) outside \(text.debugDescription)")
    }
    return 0
}
