#if canImport(Glibc)
import Glibc
#endif

/// The folder holding the fetched models and their manifest, and the networks
/// (and other files) loaded from it.
///
/// The manifest (`manifest.txt`, written by `restorekit models fetch`) lists
/// one file per line: `sha256 package version path`. Loading a network checks
/// its two files against it, so a truncated download or an edited file is a
/// `RestoreError(.model, …)` naming the file and the fetch command, never a
/// wrong result. Nothing is ever downloaded here. Loaded networks are kept,
/// so every plan after the first reuses them.
public final class ModelDirectory: @unchecked Sendable {
    /// One manifest line.
    public struct Entry: Sendable, Equatable {
        public let sha256: String
        public let package: String
        public let version: String
        public let path: String

        public init(sha256: String, package: String, version: String, path: String) {
            self.sha256 = sha256
            self.package = package
            self.version = version
            self.path = path
        }
    }

    /// The manifest's file name inside the folder.
    public static let manifestName = "manifest.txt"

    /// The folder.
    public let path: String
    /// The manifest's entries by relative path (empty when there is no manifest).
    public let entries: [String: Entry]
    /// The networks loaded so far, by relative path.
    private let networks = KeyedCache<String, Network>()

    /// The folder at `path` (which need not exist: then nothing is installed).
    /// A malformed manifest counts as no manifest.
    public init(path: String) {
        self.path = path
        entries = (try? Self.readManifest(path + "/" + Self.manifestName)) ?? [:]
    }

    /// `$RESTOREKIT_MODELS`, else `~/.local/share/restorekit/models`.
    public static var defaultPath: String {
        if let value = getenv("RESTOREKIT_MODELS"), value.pointee != 0 { return String(cString: value) }
        var home = getenv("HOME").map { String(cString: $0) } ?? ""
        if home.isEmpty, let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { home = String(cString: dir) }
        return home + "/.local/share/restorekit/models"
    }

    /// Parses manifest lines (`#` starts a comment).
    public static func parseManifest(_ text: String) throws -> [String: Entry] {
        var entries: [String: Entry] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", maxSplits: 3)
            guard fields.count == 4, fields[0].count == 64 else {
                throw RestoreError(.model, "\(manifestName) line \(n + 1) is not 'sha256 package version path'")
            }
            entries[String(fields[3])] = Entry(sha256: String(fields[0]), package: String(fields[1]),
                                               version: String(fields[2]), path: String(fields[3]))
        }
        return entries
    }

    private static func readManifest(_ file: String) throws -> [String: Entry] {
        try parseManifest(String(decoding: try FileIO.read(file), as: UTF8.self))
    }

    /// Whether every network of `package` is listed in the manifest and present.
    public func isInstalled(_ package: ModelCatalog.Package) -> Bool {
        package.files.allSatisfy { file in
            let relative = package.folder + "/" + file
            return entries[relative] != nil && access(path + "/" + relative, R_OK) == 0
        }
    }

    /// The network `stem` of `package` (an ncnn package), loaded once and
    /// checked against the manifest.
    public func network(_ stem: String, of package: ModelCatalog.Package) throws -> Network {
        let relative = package.folder + "/" + stem
        return try networks.value(for: relative) {
            let param = try verified(relative + ".param", package) { try FileIO.read($0) } digest: { SHA256.hex($0) }
            let weights = try verified(relative + ".bin", package) { try FileIO.read($0) } digest: { SHA256.hex($0) }
            return try Network(param: String(decoding: param, as: UTF8.self), weights: weights,
                               paramFile: path + "/" + relative + ".param", weightsFile: path + "/" + relative + ".bin")
        }
    }

    /// The network `stem` of `package` (a safetensors package), checked against
    /// the manifest and made by `build` from the mapped weights, once.
    public func network(_ stem: String, of package: ModelCatalog.Package,
                        building build: (SafeTensorsFile) throws -> Network) throws -> Network {
        let relative = package.folder + "/" + stem + ".safetensors"
        return try networks.value(for: relative) {
            try build(try verified(relative, package) { try SafeTensorsFile(path: $0) } digest: { $0.sha256() })
        }
    }

    /// The installed file `file` (as `package.files` names it) of `package`, such
    /// as the CLIP vocabulary, checked against the manifest.
    public func contents(of file: String, in package: ModelCatalog.Package) throws -> [UInt8] {
        try verified(package.folder + "/" + file, package) { try FileIO.read($0) } digest: { SHA256.hex($0) }
    }

    /// The file `relative` of `package` as `open` reads it, after checking
    /// that the manifest lists it and that its `digest` is the listed sha256.
    /// Every failure is a `.model` error naming the file and the fetch command.
    private func verified<Contents>(_ relative: String, _ package: ModelCatalog.Package,
                                    open: (String) throws -> Contents,
                                    digest: (Contents) -> String) throws -> Contents {
        let file = path + "/" + relative
        let again = "run '\(ModelCatalog.fetchCommand)' (folder \(path))"
        guard let entry = entries[relative] else {
            throw RestoreError(.model, "the \(package.folder) model '\(relative)' is not installed; \(again)")
        }
        let contents: Contents
        do {
            contents = try open(file)
        } catch let error as RestoreError {
            throw RestoreError(.model, "\(error.message); \(again)")
        }
        guard digest(contents) == entry.sha256 else {
            throw RestoreError(.model, "'\(file)' is damaged (its sha256 differs from the manifest's); \(again)")
        }
        return contents
    }
}
