#if canImport(Glibc)
import Glibc
#endif

/// CLIP's byte-level BPE tokenizer, giving the token ids Stable Diffusion's pipelines
/// feed the text encoder: diffusers calls transformers' `CLIPTokenizer` with
/// `padding="max_length", max_length=model_max_length, truncation=True`, and this
/// reproduces the slow Python tokenizer as it runs without ftfy, id for id.
///
/// The steps: the prompt is cut at added tokens (the special tokens, and for SD 2.x's
/// tokenizer the pad token `!`), which become their ids; every other piece is normalized
/// and split into words (`CLIPTextNormalization`) and each word is byte-pair encoded.
/// `encode` then frames the ids with `<|startoftext|>` and `<|endoftext|>` and pads them.
///
/// Limits: added tokens must not strip whitespace, be single words or contain one
/// another (no CLIP tokenizer of a Stable Diffusion model does); such folders are
/// refused rather than tokenized differently.
public struct CLIPTokenizer: Sendable {
    /// The token that starts every sequence.
    public static let startOfText = "<|startoftext|>"
    /// The token that ends every sequence, and CLIP's unknown token.
    public static let endOfText = "<|endoftext|>"
    /// How many merges CLIP uses: its 49152-token vocabulary less the 256 bytes and the
    /// two special tokens (the later lines of CLIP's original merges list are unused).
    public static let mergeCount = 49152 - 256 - 2
    /// CLIP's context length, the `model_max_length` of every Stable Diffusion tokenizer.
    public static let contextLength = 77

    /// How many ids `encode` returns: the text encoder's sequence length.
    public let maximumLength: Int
    /// The id of `<|startoftext|>`, first in every sequence.
    public let startID: Int
    /// The id of `<|endoftext|>`, after the prompt's tokens.
    public let endID: Int
    /// The id that fills the rest: SD 1.x pads with `<|endoftext|>`, SD 2.x with `!`.
    public let padID: Int

    private let encoding: BytePairEncoding
    /// The added tokens the prompt is cut at, with their ids (none when the
    /// configuration asks for `split_special_tokens`).
    private let addedTokens: [(scalars: [Unicode.Scalar], id: Int)]
    /// The words that skip byte-pair encoding: the special tokens written in the
    /// prompt in another case ("<|ENDOFTEXT|>", which lower-casing turns into the token).
    private let specialWords: [[UInt8]: Int]

    /// Reads a diffusers `tokenizer/` folder: `vocab.json`, `merges.txt`,
    /// `tokenizer_config.json` (special and added tokens, `model_max_length`) and, for
    /// configurations without `added_tokens_decoder`, `special_tokens_map.json`, as
    /// transformers' `from_pretrained` does. Missing or damaged files throw
    /// `RestoreError(.model)` naming the file.
    public init(folder: String) throws {
        let vocabularyFile = folder + "/vocab.json", mergesFile = folder + "/merges.txt"
        let configFile = folder + "/tokenizer_config.json", mapFile = folder + "/special_tokens_map.json"
        let vocabulary = try Self.vocabulary(in: try Self.readJSON(vocabularyFile), file: vocabularyFile)
        let merges = try BytePairEncoding.merges(in: try Self.read(mergesFile), file: mergesFile,
                                                 limit: Self.mergeCount)
        let config = try Self.readJSON(configFile)
        guard case .object(var settings) = config else {
            throw RestoreError(.model, "'\(configFile)' is \(config.kindDescription), not an object")
        }
        var addedIDs: [String: Int] = [:]
        if let decoder = settings["added_tokens_decoder"] {
            guard case .object(let entries) = decoder else {
                throw RestoreError(.model, "'\(configFile)': added_tokens_decoder is \(decoder.kindDescription), not an object")
            }
            for (key, entry) in entries {
                guard let id = Int(key), id >= 0 else {
                    throw RestoreError(.model, "'\(configFile)': added token id '\(key)' is not an integer")
                }
                addedIDs[try Self.tokenContent(entry, setting: "added token \(key)", file: configFile)] = id
            }
        }
        // Without added_tokens_decoder (older folders), special_tokens_map.json overrides.
        var fileOf: [String: String] = [:]
        if settings["added_tokens_decoder"] == nil, access(mapFile, F_OK) == 0 {
            let map = try Self.readJSON(mapFile)
            guard case .object(let overrides) = map else {
                throw RestoreError(.model, "'\(mapFile)' is \(map.kindDescription), not an object")
            }
            settings.merge(overrides) { $1 }
            for key in overrides.keys { fileOf[key] = mapFile }
        }
        var special: [String: String] = [:]
        for (setting, fallback) in [("bos_token", Self.startOfText), ("eos_token", Self.endOfText),
                                    ("unk_token", Self.endOfText), ("pad_token", Self.endOfText)] {
            special[setting] = try settings[setting].map {
                try Self.tokenContent($0, setting: setting, file: fileOf[setting] ?? configFile)
            } ?? fallback
        }
        var additional: [String] = []
        if let list = settings["additional_special_tokens"] {
            let file = fileOf["additional_special_tokens"] ?? configFile
            guard case .array(let tokens) = list else {
                throw RestoreError(.model, "'\(file)': additional_special_tokens is \(list.kindDescription), not an array")
            }
            additional = try tokens.map { try Self.tokenContent($0, setting: "additional_special_tokens", file: file) }
        }
        var maximumLength = Self.contextLength
        if let length = settings["model_max_length"] {
            guard let value = length.int, (2 ... 4096).contains(value) else {
                throw RestoreError(.model, "'\(configFile)': model_max_length (\(length.kindDescription)) is not a sequence length from 2 to 4096")
            }
            maximumLength = value
        }
        try self.init(vocabulary: vocabulary, merges: merges, addedIDs: addedIDs, special: special,
                      additional: additional, splitsAddedTokens: settings["split_special_tokens"]?.bool != true,
                      maximumLength: maximumLength, vocabularyFile: vocabularyFile, mergesFile: mergesFile,
                      configFile: configFile)
    }

    /// A tokenizer from a merges list alone, such as CLIP's own `bpe_simple_vocab_16e6.txt`
    /// (its text, decompressed), for checkpoints that ship no tokenizer folder. The
    /// vocabulary is built as CLIP builds it: the 256 byte symbols, the same with `</w>`,
    /// each merge's join, then the two special tokens. `padToken` (`!` for SD 2.x) must
    /// be one of those tokens; like a tokenizer folder's pad token, it is an added token
    /// the prompt is cut at. Errors name `file`.
    public init(mergesList bytes: [UInt8], file: String, padToken: String = endOfText,
                maximumLength: Int = contextLength) throws {
        guard maximumLength >= 2 else {
            throw RestoreError(.invalidArgument, "a CLIP sequence of \(maximumLength) tokens cannot hold its start and end tokens")
        }
        let merges = try BytePairEncoding.merges(in: bytes, file: file, limit: Self.mergeCount)
        let byteSymbols = BytePairEncoding.standInOrder.map { String(BytePairEncoding.standIns[Int($0)]) }
        let tokens = byteSymbols + byteSymbols.map { $0 + BytePairEncoding.endOfWord }
            + merges.map { $0.first + $0.second }
            + [Self.startOfText, Self.endOfText]
        var vocabulary: [String: Int] = [:]
        for (id, token) in tokens.enumerated() { vocabulary[token] = id }
        let special = ["bos_token": Self.startOfText, "eos_token": Self.endOfText,
                       "unk_token": Self.endOfText, "pad_token": padToken]
        try self.init(vocabulary: vocabulary, merges: merges, addedIDs: [:], special: special, additional: [],
                      splitsAddedTokens: true, maximumLength: maximumLength, vocabularyFile: file, mergesFile: file,
                      configFile: file)
    }

    /// CLIP's tokenizer from the vocabulary `restorekit models fetch` installs in
    /// `models` (`ModelCatalog.clipVocabulary`), as `init(mergesList:…)` builds it. A
    /// missing or damaged vocabulary is a `RestoreError(.model)` naming the fetch command.
    public init(vocabularyIn models: ModelDirectory, padToken: String = endOfText,
                maximumLength: Int = contextLength) throws {
        let package = ModelCatalog.clipVocabulary, file = package.files[0]
        try self.init(mergesList: models.contents(of: file, in: package),
                      file: models.path + "/" + package.folder + "/" + file, padToken: padToken,
                      maximumLength: maximumLength)
    }

    private init(vocabulary: [String: Int], merges: [BytePairEncoding.Merge], addedIDs: [String: Int],
                 special: [String: String], additional: [String], splitsAddedTokens: Bool, maximumLength: Int,
                 vocabularyFile: String, mergesFile: String, configFile: String) throws {
        // Token to id as transformers converts it: added tokens first, then the vocabulary.
        let lookup = vocabulary.merging(addedIDs) { $1 }
        func id(of token: String, _ role: String) throws -> Int {
            guard let id = lookup[token] else {
                throw RestoreError(.model, "'\(configFile)': the \(role) '\(token)' is neither in '\(vocabularyFile)' nor an added token")
            }
            return id
        }
        startID = try id(of: special["bos_token"]!, "bos_token")
        endID = try id(of: special["eos_token"]!, "eos_token")
        padID = try id(of: special["pad_token"]!, "pad_token")
        var added = addedIDs
        for (role, token) in special { added[token] = try id(of: token, role) }
        for token in additional { added[token] = try id(of: token, "additional special token") }
        let contents = added.keys.sorted().map { (token: $0, scalars: Array($0.unicodeScalars)) }
        for inner in contents {
            guard !inner.scalars.isEmpty else { throw RestoreError(.model, "'\(configFile)': an added token is empty") }
            let outer = contents.first { outer in
                outer.token != inner.token && outer.scalars.indices.contains { outer.scalars[$0...].starts(with: inner.scalars) }
            }
            if let outer {
                throw RestoreError(.unsupported, "'\(configFile)': the added token '\(inner.token)' lies inside '\(outer.token)'")
            }
        }
        addedTokens = splitsAddedTokens ? contents.map { ($0.scalars, added[$0.token]!) } : []
        var specialWords: [[UInt8]: Int] = [:]
        for token in [Self.startOfText, Self.endOfText] { specialWords[Array(token.utf8)] = try id(of: token, "special token") }
        self.specialWords = specialWords
        encoding = try BytePairEncoding(vocabulary: lookup, merges: merges, vocabularyFile: vocabularyFile,
                                        mergesFile: mergesFile)
        self.maximumLength = maximumLength
    }

    /// The `maximumLength` ids the text encoder takes for `prompt`: `<|startoftext|>`,
    /// the prompt's tokens cut to leave room for `<|endoftext|>`, then padding.
    public func encode(_ prompt: String) -> [Int] {
        var cache: [[UInt8]: [Int]] = [:]
        return frame(tokenIDs(prompt, cache: &cache))
    }

    /// `encode` for several prompts, byte-pair encoding each distinct word once.
    public func encode(_ prompts: [String]) -> [[Int]] {
        var cache: [[UInt8]: [Int]] = [:]
        return prompts.map { frame(tokenIDs($0, cache: &cache)) }
    }

    /// The ids of the prompt's tokens alone, neither framed nor cut: more than
    /// `maximumLength - 2` of them means `encode` drops the rest.
    public func tokenIDs(_ prompt: String) -> [Int] {
        var cache: [[UInt8]: [Int]] = [:]
        return tokenIDs(prompt, cache: &cache)
    }

    private func frame(_ ids: [Int]) -> [Int] {
        var framed = [startID]
        framed += ids.prefix(maximumLength - 2)
        framed.append(endID)
        return framed + Array(repeating: padID, count: maximumLength - framed.count)
    }

    private func tokenIDs(_ prompt: String, cache: inout [[UInt8]: [Int]]) -> [Int] {
        let scalars = Array(prompt.unicodeScalars)
        var ids: [Int] = []
        var words: [[UInt8]] = []
        func encodePiece(_ piece: ArraySlice<Unicode.Scalar>) {
            guard !piece.isEmpty else { return }
            words.removeAll(keepingCapacity: true)
            CLIPTextNormalization.appendWords(of: piece, to: &words)
            for word in words {
                if let id = specialWords[word] {
                    ids.append(id)
                } else if let known = cache[word] {
                    ids += known
                } else {
                    var encoded: [Int] = []
                    encoding.encode(word, into: &encoded)
                    cache[word] = encoded
                    ids += encoded
                }
            }
        }
        var pieceStart = 0, position = 0
        while position < scalars.count {
            let match = addedTokens.first { token in
                scalars[position...].starts(with: token.scalars)
            }
            guard let match else { position += 1; continue }
            encodePiece(scalars[pieceStart ..< position])
            ids.append(match.id)
            position += match.scalars.count
            pieceStart = position
        }
        encodePiece(scalars[pieceStart...])
        return ids
    }

    /// The token content of a setting: a string, or an object with a "content" string
    /// (a saved AddedToken). Tokens that strip whitespace or must be single words are refused.
    private static func tokenContent(_ value: JSONValue, setting: String, file: String) throws -> String {
        if let content = value.string { return content }
        guard let content = value["content"]?.string else {
            throw RestoreError(.model, "'\(file)': \(setting) is \(value.kindDescription), not a token")
        }
        for flag in ["lstrip", "rstrip", "single_word"] where value[flag]?.bool == true {
            throw RestoreError(.unsupported, "'\(file)': \(setting) '\(content)' sets \(flag), which this tokenizer does not implement")
        }
        return content
    }

    /// vocab.json: an object from token to non-negative integer id.
    private static func vocabulary(in json: JSONValue, file: String) throws -> [String: Int] {
        guard case .object(let entries) = json else {
            throw RestoreError(.model, "'\(file)' is \(json.kindDescription), not an object of token ids")
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(entries.count)
        for (token, value) in entries {
            guard let id = value.int, id >= 0 else {
                throw RestoreError(.model, "'\(file)': the id of '\(token.prefix(40))' is \(value.kindDescription), not a non-negative integer")
            }
            vocabulary[token] = id
        }
        return vocabulary
    }

    /// The file's bytes; a missing or unreadable file is a damaged model folder.
    private static func read(_ path: String) throws -> [UInt8] {
        do {
            return try FileIO.read(path)
        } catch let error as RestoreError where error.kind == .io {
            throw RestoreError(.model, "tokenizer file missing or unreadable: \(error.message)")
        }
    }

    private static func readJSON(_ path: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(try read(path))
        } catch let error as JSONError {
            throw RestoreError(.model, "'\(path)' is not valid JSON: \(error.message)")
        }
    }
}
