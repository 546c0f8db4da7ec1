import RestoreKitCore

// The string lives in a static literal: valid for the life of the process.
private let versionString: StaticString = "0.1.0"

/// `const char *restore_version(void)`
@_cdecl("restore_version")
public func restore_version() -> UnsafePointer<CChar> {
    assert(String(describing: versionString) == RestoreKitVersion.string)
    return UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}
