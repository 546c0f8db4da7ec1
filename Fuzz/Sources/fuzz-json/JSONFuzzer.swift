import FuzzSupport
import RestoreKitCore

/// The JSON reader of configuration and tokenizer files (`config.json`,
/// `vocab.json`, `model_index.json`): text that parses prints back (sorted, as
/// diffusers writes it) and reads back equal; text that does not is refused with
/// a message naming the byte. The same bytes as the models folder's
/// `generative.json`: refused naming the file, or read into a manifest that
/// writes and reads back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    readManifest(bytes)
    let value: JSONValue
    do throws(JSONError) {
        value = try JSONValue.parse(bytes)
    } catch {
        precondition(!error.message.isEmpty, "JSON: an error without a message")
        return 0
    }
    let text = value.text
    do throws(JSONError) {
        let again = try JSONValue.parse(Array(text.utf8))
        precondition(again == value && again.text == text, "JSON: \(text.debugDescription) reads back as \(again.text.debugDescription)")
    } catch {
        fatalError("JSON: the printed form \(text.debugDescription) does not parse: \(error.message)")
    }
    return 0
}

private func readManifest(_ bytes: [UInt8]) {
    Scratch.write(bytes, to: GenerativeManifest.fileName)
    defer { Scratch.remove(GenerativeManifest.fileName) }
    let manifest: GenerativeManifest
    do {
        manifest = try GenerativeManifest(folder: Scratch.folder)
    } catch {
        expectRefusal(error, of: GenerativeManifest.fileName, kinds: [.model, .io])
        return
    }
    Scratch.write(Array(manifest.text.utf8), to: GenerativeManifest.fileName)
    do {
        let again = try GenerativeManifest(folder: Scratch.folder)
        precondition(again == manifest, "generative.json: the written manifest reads back differently")
    } catch {
        fatalError("generative.json: the written manifest does not read back: \(error)")
    }
}
