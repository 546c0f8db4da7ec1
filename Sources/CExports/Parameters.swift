import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// A `restore_params` read and turned into a checked core request.
struct Parameters {
    var request: RestorationRequest
    var progress: restore_progress_fn?
    var progressUserData: UnsafeMutableRawPointer?

    init(_ pointer: UnsafePointer<restore_params>?) throws {
        guard let pointer else { throw RestoreError(.invalidArgument, "params is NULL") }
        // Read `size` alone first: only then is the struct known to be there, whole or as
        // a caller built against 0.1 has it (without the fields appended since).
        let size = UnsafeRawPointer(pointer).load(as: Int.self)
        // 0.1's struct ended where `fidelity` starts.
        let version01 = MemoryLayout<restore_params>.offset(of: \restore_params.fidelity)!
        guard size == version01 || size >= MemoryLayout<restore_params>.size, size <= 1 << 16 else {
            throw RestoreError(.invalidArgument,
                "params->size is \(size), not sizeof(restore_params); fill params with restore_params_init")
        }
        var p = restore_params()
        withUnsafeMutableBytes(of: &p) {
            $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(size, $0.count)))
        }
        if size == version01 { p.fidelity = Float(RestorationRequest().fidelity) }
        request = RestorationRequest()
        try request.prompts.set(.semantic, utf8: try Self.text(p.semantic_prompt, "semantic_prompt") ?? [])
        try request.prompts.set(.restoration, utf8: try Self.text(p.restoration_prompt, "restoration_prompt") ?? [])
        try request.prompts.set(.quality, utf8: try Self.text(p.quality_prompt, "quality_prompt") ?? [])
        if let negative = try Self.text(p.negative_prompt, "negative_prompt") {
            try request.prompts.set(.negative, utf8: negative)
        }
        if let model = try Self.text(p.model, "model") { request.model = String(decoding: model, as: UTF8.self) }
        guard p.flags & ~RESTORE_FLAG_LINEAR == 0 else {
            throw RestoreError(.invalidArgument, "unknown flags 0x\(String(p.flags, radix: 16)) in params->flags")
        }
        request.strength = Double(p.strength)
        request.steps = Int(p.steps)
        request.guidance = Double(p.guidance)
        request.seed = p.seed
        request.fidelity = Double(p.fidelity)
        request.tileSize = Int(p.tile_size)
        request.threads = Int(p.threads)
        request.linear = p.flags & RESTORE_FLAG_LINEAR != 0
        try request.validate()
        progress = p.progress
        progressUserData = p.progress_user_data
    }

    /// The colour encoding the caller's pixels are in.
    var encoding: ColorEncoding { request.linear ? .linear : .sRGB }

    /// A prompt string's bytes (nil for NULL), at most 4096 of them; longer
    /// strings are refused without reading past byte 4097.
    private static func text(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> [UInt8]? {
        guard let pointer else { return nil }
        let length = strnlen(pointer, PromptFields.maxBytes + 1)
        guard length <= PromptFields.maxBytes else {
            throw RestoreError(.invalidArgument, "params->\(name) is longer than \(PromptFields.maxBytes) bytes")
        }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The progress callback as a core handler; nil when there is none.
    var handler: ProgressHandler? {
        guard let progress else { return nil }
        let user = progressUserData
        return { fraction, stage in
            stage.withCString { progress(Float(fraction), $0, user) } != 0 ? .cancel : .proceed
        }
    }
}

extension RequestOption {
    /// The option's name in the C header: its field in `restore_params`
    /// ("tile_size"), or the flag for "linear".
    var cName: String {
        id == .linear ? "RESTORE_FLAG_LINEAR" : String(name.map { $0 == "-" ? "_" : $0 })
    }
}

/// `void restore_params_init(restore_params *params)`: the core's defaults
/// (`RestorationRequest()`); NULL strings stand for the default prompts and model.
@_cdecl("restore_params_init")
public func restore_params_init(_ params: UnsafeMutablePointer<restore_params>?) {
    guard let params else { return }
    let defaults = RestorationRequest()
    params.pointee = restore_params(
        size: MemoryLayout<restore_params>.size, semantic_prompt: nil, restoration_prompt: nil,
        quality_prompt: nil, negative_prompt: nil, model: nil, strength: Float(defaults.strength),
        steps: Int32(defaults.steps), guidance: Float(defaults.guidance), seed: defaults.seed,
        tile_size: Int32(defaults.tileSize), threads: Int32(defaults.threads),
        flags: defaults.linear ? RESTORE_FLAG_LINEAR : 0, progress: nil, progress_user_data: nil,
        fidelity: Float(defaults.fidelity))
}

/// `const char *restore_options_json(void)`
@_cdecl("restore_options_json")
public func restore_options_json() -> UnsafePointer<CChar> {
    UnsafePointer(optionsJSON)
}

/// The declaration as JSON, made once and kept for the life of the process.
nonisolated(unsafe) private let optionsJSON: UnsafeMutablePointer<CChar> = strdup(RequestOption.json)

