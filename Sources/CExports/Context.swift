import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// What `restore_context *` points to: the engine and the per-context messages.
final class RestoreContext {
    let engine: RestorationEngine
    let lastError = OwnedCString()
    let lastPrompt = OwnedCString()
    let lastRestorers = OwnedCString()
    let lastNotes = OwnedCString()
    /// The options no installed model reads, as `restore_unused_options` gives them.
    let unusedOptions = OwnedCString()
    /// The models a request can name, as `restore_models_json` gives them.
    let models = OwnedCString()

    init(engine: RestorationEngine) {
        self.engine = engine
        unusedOptions.set(engine.unusedOptions.map(\.cName).joined(separator: ", "))
        models.set(engine.modelsJSON)
    }

    static func from(_ pointer: OpaquePointer?) throws -> RestoreContext {
        guard let pointer else { throw RestoreError(.invalidArgument, "the context is NULL") }
        return Unmanaged<RestoreContext>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    func recordSuccess(_ plan: RestorationPlan) {
        lastPrompt.set(plan.prompt.description)
        lastRestorers.set(plan.stages.map(\.label).joined(separator: ", "))
        lastNotes.set(plan.notices { $0.cName }.joined(separator: "\n"))
    }
}

/// Runs `body`, turning any error into a status and the message of `context`
/// (or of this thread when there is none).
func perform(_ context: OpaquePointer?, _ body: () throws -> Void) -> restore_status {
    do {
        try body()
        return RESTORE_OK
    } catch let error as RestoreError {
        record(error.message, in: context)
        return restore_status(error.kind)
    } catch {
        record("\(error)", in: context)
        return RESTORE_ERROR_INTERNAL
    }
}

private func record(_ message: String, in context: OpaquePointer?) {
    if let context, let ctx = try? RestoreContext.from(context) {
        ctx.lastError.set(message)
    } else {
        ThreadMessage.set(message)
    }
}

/// `restore_context *restore_context_new(const char *models_dir)`
@_cdecl("restore_context_new")
public func restore_context_new(_ modelsDirectory: UnsafePointer<CChar>?) -> OpaquePointer? {
    let context = RestoreContext(engine: RestorationEngine(modelsDirectory: modelsDirectory.map { String(cString: $0) }))
    return OpaquePointer(Unmanaged.passRetained(context).toOpaque())
}

/// `void restore_context_free(restore_context *ctx)`
@_cdecl("restore_context_free")
public func restore_context_free(_ context: OpaquePointer?) {
    guard let context else { return }
    Unmanaged<RestoreContext>.fromOpaque(UnsafeRawPointer(context)).release()
}

/// `const char *restore_last_error(const restore_context *ctx)`
@_cdecl("restore_last_error")
public func restore_last_error(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let context else { return ThreadMessage.value }
    return Unmanaged<RestoreContext>.fromOpaque(UnsafeRawPointer(context)).takeUnretainedValue().lastError.value
}

/// `const char *restore_last_prompt(const restore_context *ctx)`
@_cdecl("restore_last_prompt")
public func restore_last_prompt(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    text(of: context, \.lastPrompt)
}

/// `const char *restore_last_restorers(const restore_context *ctx)`
@_cdecl("restore_last_restorers")
public func restore_last_restorers(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    text(of: context, \.lastRestorers)
}

/// `const char *restore_last_notes(const restore_context *ctx)`
@_cdecl("restore_last_notes")
public func restore_last_notes(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    text(of: context, \.lastNotes)
}

/// `const char *restore_unused_options(const restore_context *ctx)`
@_cdecl("restore_unused_options")
public func restore_unused_options(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    text(of: context, \.unusedOptions)
}

/// `const char *restore_models_json(const restore_context *ctx)`
@_cdecl("restore_models_json")
public func restore_models_json(_ context: OpaquePointer?) -> UnsafePointer<CChar> {
    text(of: context, \.models)
}

/// `void restore_free(void *pointer)`
@_cdecl("restore_free")
public func restore_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

/// One of a context's library-owned strings; "" for a NULL context.
private func text(of context: OpaquePointer?, _ field: KeyPath<RestoreContext, OwnedCString>) -> UnsafePointer<CChar> {
    (try? RestoreContext.from(context))?[keyPath: field].value ?? OwnedCString.empty
}
