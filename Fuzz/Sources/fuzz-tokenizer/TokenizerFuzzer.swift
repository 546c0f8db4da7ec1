import FuzzSupport
import RestoreKitCore

/// CLIP's tokenizer files, read from disk as a model folder's `tokenizer/` is:
/// `vocab.json`, `merges.txt`, `tokenizer_config.json`, `special_tokens_map.json`
/// (left out when its part is empty), then a prompt; the merges part is also read
/// as CLIP's own merges list. A tokenizer that loads encodes the prompt into its
/// sequence length: the start token, then ids, the end token and padding. Damaged
/// files are refused with a message naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = FuzzInput(data, size).parts(5)
    let prompt = String(decoding: parts[4], as: UTF8.self)
    Scratch.write(parts[0], to: "vocab.json")
    Scratch.write(parts[1], to: "merges.txt")
    Scratch.write(parts[2], to: "tokenizer_config.json")
    if parts[3].isEmpty {
        Scratch.remove("special_tokens_map.json")
    } else {
        Scratch.write(parts[3], to: "special_tokens_map.json")
    }
    do {
        check(try CLIPTokenizer(folder: Scratch.folder), prompt)
    } catch {
        expectRefusal(error, of: "tokenizer folder", kinds: [.model, .unsupported])
    }
    do {
        check(try CLIPTokenizer(mergesList: parts[1], file: "merges.txt", maximumLength: 16), prompt)
    } catch {
        expectRefusal(error, of: "merges list", kinds: [.model, .unsupported])
    }
    return 0
}

private func check(_ tokenizer: CLIPTokenizer, _ prompt: String) {
    let ids = tokenizer.encode(prompt)
    precondition(ids.count == tokenizer.maximumLength, "\(ids.count) ids for a sequence of \(tokenizer.maximumLength)")
    precondition(ids.first == tokenizer.startID && ids.contains(tokenizer.endID), "the ids \(ids) are not framed by the start and end tokens")
    precondition(ids.allSatisfy { $0 >= 0 }, "a negative id in \(ids)")
}
