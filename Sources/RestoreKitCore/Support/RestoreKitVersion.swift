/// RestoreKit's version; the C header's RESTORE_VERSION_* macros match it.
public enum RestoreKitVersion {
    public static let major = 0
    public static let minor = 1
    public static let patch = 0
    /// "major.minor.patch".
    public static var string: String { "\(major).\(minor).\(patch)" }
}
