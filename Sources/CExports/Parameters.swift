import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// A `restore_params` read, checked and turned into core values.
struct Parameters {
    var fields: PromptFields
    var options: RestorationOptions
    var linear: Bool
    var progress: restore_progress_fn?
    var progressUserData: UnsafeMutableRawPointer?

    static let defaultGuidance: Float = 5.5
    static let defaultSteps: Int32 = 20

    init(_ pointer: UnsafePointer<restore_params>?) throws {
        guard let pointer else { throw RestoreError(.invalidArgument, "params is NULL") }
        // Read `size` alone first: only then is the whole struct known to be there.
        let size = UnsafeRawPointer(pointer).load(as: Int.self)
        guard size >= MemoryLayout<restore_params>.size, size <= 1 << 16 else {
            throw RestoreError(.invalidArgument,
                "params->size is \(size), not sizeof(restore_params); fill params with restore_params_init")
        }
        let p = pointer.pointee
        fields = try PromptFields()
        try fields.set(.semantic, utf8: try Self.text(p.semantic_prompt, "semantic_prompt") ?? [])
        try fields.set(.restoration, utf8: try Self.text(p.restoration_prompt, "restoration_prompt") ?? [])
        try fields.set(.quality, utf8: try Self.text(p.quality_prompt, "quality_prompt") ?? [])
        if let negative = try Self.text(p.negative_prompt, "negative_prompt") {
            try fields.set(.negative, utf8: negative)
        }
        let model = try Self.text(p.model, "model").map { String(decoding: $0, as: UTF8.self) } ?? "auto"
        guard (1 ... 1000).contains(p.steps) else {
            throw RestoreError(.invalidArgument, "steps must be 1–1000, not \(p.steps)")
        }
        guard p.guidance.isFinite, (0 ... 30).contains(p.guidance) else {
            throw RestoreError(.invalidArgument, "guidance must be 0–30, not \(p.guidance)")
        }
        guard p.flags & ~RESTORE_FLAG_LINEAR == 0 else {
            throw RestoreError(.invalidArgument, "unknown flags 0x\(String(p.flags, radix: 16)) in params->flags")
        }
        options = RestorationOptions(strength: Double(p.strength), model: model,
                                     tileSize: Int(p.tile_size), threads: Int(p.threads))
        try options.validate()
        linear = p.flags & RESTORE_FLAG_LINEAR != 0
        progress = p.progress
        progressUserData = p.progress_user_data
    }

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

/// `void restore_params_init(restore_params *params)`
@_cdecl("restore_params_init")
public func restore_params_init(_ params: UnsafeMutablePointer<restore_params>?) {
    guard let params else { return }
    params.pointee = restore_params(
        size: MemoryLayout<restore_params>.size, semantic_prompt: nil, restoration_prompt: nil,
        quality_prompt: nil, negative_prompt: nil, model: nil, strength: 1,
        steps: Parameters.defaultSteps, guidance: Parameters.defaultGuidance, seed: 0,
        tile_size: 0, threads: 0, flags: 0, progress: nil, progress_user_data: nil)
}
