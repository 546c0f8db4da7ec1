import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

extension restore_status {
    /// The status a core error maps to.
    init(_ kind: RestoreError.Kind) {
        switch kind {
        case .invalidArgument: self = RESTORE_ERROR_INVALID_ARGUMENT
        case .invalidPrompt: self = RESTORE_ERROR_INVALID_PROMPT
        case .imageTooLarge: self = RESTORE_ERROR_IMAGE_TOO_LARGE
        case .outOfMemory: self = RESTORE_ERROR_OUT_OF_MEMORY
        case .cancelled: self = RESTORE_ERROR_CANCELLED
        case .model: self = RESTORE_ERROR_MODEL
        case .unsupported: self = RESTORE_ERROR_UNSUPPORTED
        case .needsAnalysis: self = RESTORE_ERROR_NEEDS_ANALYSIS
        case .decodeFailed, .encodeFailed, .io: self = RESTORE_ERROR_INTERNAL
        }
    }
}

/// `const char *restore_status_string(restore_status status)`
@_cdecl("restore_status_string")
public func restore_status_string(_ status: restore_status) -> UnsafePointer<CChar> {
    let text: StaticString
    switch status {
    case RESTORE_OK: text = "ok"
    case RESTORE_ERROR_INVALID_ARGUMENT: text = "invalid argument"
    case RESTORE_ERROR_INVALID_PROMPT: text = "invalid prompt"
    case RESTORE_ERROR_IMAGE_TOO_LARGE: text = "image too large"
    case RESTORE_ERROR_OUT_OF_MEMORY: text = "out of memory"
    case RESTORE_ERROR_CANCELLED: text = "cancelled"
    case RESTORE_ERROR_MODEL: text = "model missing or damaged"
    case RESTORE_ERROR_UNSUPPORTED: text = "unsupported"
    case RESTORE_ERROR_INTERNAL: text = "internal error"
    case RESTORE_ERROR_NEEDS_ANALYSIS: text = "needs the whole image analysed"
    default: text = "unknown status"
    }
    return text.cString
}

/// `const char *restore_version(void)`
@_cdecl("restore_version")
public func restore_version() -> UnsafePointer<CChar> {
    UnsafePointer(versionString)
}

/// "major.minor.patch" from the header's RESTORE_VERSION_* macros, the one
/// place the version is written; made once, kept for the life of the process.
nonisolated(unsafe) private let versionString: UnsafeMutablePointer<CChar> =
    strdup("\(RESTORE_VERSION_MAJOR).\(RESTORE_VERSION_MINOR).\(RESTORE_VERSION_PATCH)")

extension StaticString {
    /// A string literal's bytes as a C string (literals are NUL-terminated and static).
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
