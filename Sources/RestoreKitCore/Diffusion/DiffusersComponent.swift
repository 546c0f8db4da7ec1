#if canImport(Glibc)
import Glibc
#endif

/// One component folder of a diffusers pipeline (`unet/`, `vae/`,
/// `text_encoder/`, …): its `config.json` and its weights.
///
/// Weights are found as diffusers and transformers save them: one
/// `diffusion_pytorch_model.safetensors` or `model.safetensors`, or shards listed
/// by a `….safetensors.index.json`; the full-precision file first, else the
/// `fp16` variant (`….fp16.safetensors`), or the variant first when one is asked
/// for (diffusers' `variant="fp16"`). Any dtype safetensors can store as floats
/// (F32, F16, BF16) is read, and kept in that precision.
public struct DiffusersComponent {
    /// The folder.
    public let path: String
    /// Its `config.json`.
    public let config: JSONValue
    /// Its tensors.
    public let weights: WeightStore

    /// The file names weights are looked for under, in order of preference.
    static func weightNames(variant: String?) -> [String] {
        let variants = variant.map { [".\($0)", ""] } ?? ["", ".fp16"]
        return ["diffusion_pytorch_model", "model"].flatMap { stem in variants.map { stem + $0 + ".safetensors" } }
    }

    /// The component in `path`; `variant` (e.g. "fp16") prefers that variant's files.
    public init(path: String, variant: String? = nil) throws {
        self.path = path
        let configPath = path + "/config.json"
        guard Self.exists(configPath) else {
            throw RestoreError(.model, "'\(path)' has no config.json: not a diffusers model folder")
        }
        config = try JSONValue.read(configPath)
        guard config.object != nil else {
            throw RestoreError(.model, "'\(configPath)' is \(config.kindDescription), not an object")
        }
        weights = try Self.weights(in: path, variant: variant)
    }

    /// A component read elsewhere (a part of a single-file checkpoint): `path`
    /// names it in messages.
    init(path: String, config: JSONValue, weights: WeightStore) {
        self.path = path
        self.config = config
        self.weights = weights
    }

    private static func weights(in folder: String, variant: String?) throws -> WeightStore {
        let files = try weightFiles(in: folder, variant: variant)
        let shards = files.count > 1 ? Array(files.dropFirst()) : files
        return try WeightStore(files: shards.map { try SafeTensorsFile(path: $0) }, source: files[0])
    }

    /// The files the weights of the component in `folder` are read from, as
    /// `init` chooses them: one `.safetensors` file, or a shard index followed by
    /// the shards it names.
    public static func weightFiles(in folder: String, variant: String? = nil) throws -> [String] {
        let names = weightNames(variant: variant)
        for name in names {
            let file = folder + "/" + name
            if exists(file) { return [file] }
            let index = file + ".index.json"
            if exists(index) { return try [index] + shards(index).map { folder + "/" + $0 } }
        }
        if exists(folder + "/diffusion_pytorch_model.bin") || exists(folder + "/pytorch_model.bin") {
            throw RestoreError(.unsupported, "'\(folder)' holds PyTorch .bin weights; convert them to safetensors")
        }
        throw RestoreError(.model, "'\(folder)' has no weights (\(names.joined(separator: ", ")) or a sharded index)")
    }

    /// The file names a sharded checkpoint's index names in its `weight_map`.
    private static func shards(_ index: String) throws -> [String] {
        guard let map = try JSONValue.read(index)["weight_map"]?.object else {
            throw RestoreError(.model, "'\(index)' has no weight_map object")
        }
        var names: [String] = []
        for (tensor, value) in map {
            guard let name = value.string, !name.contains("/"), name.hasSuffix(".safetensors") else {
                throw RestoreError(.model, "'\(index)': tensor '\(tensor)' names \(value.kindDescription), not a .safetensors file in the folder")
            }
            if !names.contains(name) { names.append(name) }
        }
        return names.sorted()
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The integer `key` of the config; `fallback` when absent (diffusers' default).
    public func integer(_ key: String, default fallback: Int? = nil) throws -> Int {
        guard let value = config[key], !value.isNull else {
            guard let fallback else { throw missing(key) }
            return fallback
        }
        guard let n = value.int else { throw invalid(key, value, "an integer") }
        return n
    }

    /// The number `key` of the config; `fallback` when absent.
    public func number(_ key: String, default fallback: Double? = nil) throws -> Double {
        guard let value = config[key], !value.isNull else {
            guard let fallback else { throw missing(key) }
            return fallback
        }
        guard let n = value.double else { throw invalid(key, value, "a number") }
        return n
    }

    /// The string `key` of the config; `fallback` when absent.
    public func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let value = config[key], !value.isNull else {
            guard let fallback else { throw missing(key) }
            return fallback
        }
        guard let s = value.string else { throw invalid(key, value, "a string") }
        return s
    }

    /// The boolean `key` of the config; `fallback` when absent.
    public func flag(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = config[key], !value.isNull else { return fallback }
        guard let b = value.bool else { throw invalid(key, value, "true or false") }
        return b
    }

    /// The config's `key` as integers: a list, or one integer repeated `count`
    /// times; when absent, `fallback` repeated `count` times.
    public func integers(_ key: String, count: Int, default fallback: Int? = nil) throws -> [Int] {
        guard let value = config[key], !value.isNull else {
            guard let fallback else { throw missing(key) }
            return Array(repeating: fallback, count: count)
        }
        if let n = value.int { return Array(repeating: n, count: count) }
        guard let list = value.array, list.count == count, case let ints = list.compactMap(\.int), ints.count == count else {
            throw invalid(key, value, "an integer or a list of \(count) integers")
        }
        return ints
    }

    /// The config's `key` as a non-empty list of integers (block widths).
    public func integerList(_ key: String) throws -> [Int] {
        guard let value = config[key], !value.isNull else { throw missing(key) }
        guard let list = value.array, !list.isEmpty, case let ints = list.compactMap(\.int), ints.count == list.count else {
            throw invalid(key, value, "a non-empty list of integers")
        }
        return ints
    }

    /// The config's `key` as a list of strings.
    public func strings(_ key: String) throws -> [String] {
        guard let list = config[key]?.array else { throw missing(key) }
        let strings = list.compactMap(\.string)
        guard strings.count == list.count else { throw invalid(key, config[key]!, "a list of strings") }
        return strings
    }

    func missing(_ key: String) -> RestoreError {
        RestoreError(.model, "'\(path)/config.json' has no '\(key)'")
    }

    func invalid(_ key: String, _ value: JSONValue, _ expected: String) -> RestoreError {
        RestoreError(.model, "'\(path)/config.json': '\(key)' is \(value.kindDescription), expected \(expected)")
    }
}
