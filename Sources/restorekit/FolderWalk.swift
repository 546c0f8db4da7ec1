import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Image files under a folder, recursively, as sorted relative paths.
enum FolderWalk {
    static let extensions = ["png", "jpg", "jpeg"]

    static func images(in root: String, skipping skip: (dev_t, ino_t)?) throws -> [String] {
        var found: [String] = []
        try walk(root, relative: "", skip: skip, into: &found, depth: 0)
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func walk(_ folder: String, relative: String, skip: (dev_t, ino_t)?,
                             into found: inout [String], depth: Int) throws {
        guard depth < 64 else { throw RestoreError(.io, "'\(folder)' is nested more than 64 folders deep") }
        guard let dir = opendir(folder) else {
            throw RestoreError(.io, "cannot read folder '\(folder)': \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let path = folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                if let skip, status.st_dev == skip.0, status.st_ino == skip.1 { continue }
                try walk(path, relative: rel, skip: skip, into: &found, depth: depth + 1)
            case S_IFREG, S_IFLNK:
                let lower = name.lowercased()
                if extensions.contains(where: { lower.hasSuffix("." + $0) }) { found.append(rel) }
            default:
                continue
            }
        }
    }
}
