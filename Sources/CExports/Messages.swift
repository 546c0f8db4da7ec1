#if canImport(Glibc)
import Glibc
#endif

/// A C string the library owns and hands out until it is replaced.
final class OwnedCString: @unchecked Sendable {
    private var pointer: UnsafeMutablePointer<CChar>?

    deinit { free(pointer) }

    /// The current text; "" before anything was set.
    var value: UnsafePointer<CChar> { UnsafePointer(pointer) ?? Self.empty }

    /// A static "".
    static var empty: UnsafePointer<CChar> { emptyCString.cString }

    /// Replaces the text (the previous pointer becomes invalid).
    func set(_ text: String) {
        free(pointer)
        pointer = strdup(text)
    }
}

private let emptyCString: StaticString = ""

/// The last error of context-free calls, one per thread (freed at thread exit).
enum ThreadMessage {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()

    static var value: UnsafePointer<CChar> {
        pthread_getspecific(key).map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
            ?? emptyCString.cString
    }

    static func set(_ text: String) {
        free(pthread_getspecific(key))
        pthread_setspecific(key, strdup(text))
    }
}

/// A copy of `text` the caller releases with restore_free.
func callerOwnedCString(_ text: String) -> UnsafeMutablePointer<CChar>? {
    strdup(text)
}
