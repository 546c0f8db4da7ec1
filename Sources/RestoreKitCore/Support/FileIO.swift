#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and atomic writes, on POSIX calls (no Foundation).
public enum FileIO {
    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open '\(path)'") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ioError("cannot stat '\(path)'") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw RestoreError(.io, "'\(path)' is not a regular file")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(status.st_size))
        try forEachChunk(fd, path, size: 1 << 16) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads the open file `fd` (named `path` in errors) to its end, handing
    /// `body` each chunk of at most `size` bytes.
    private static func forEachChunk(_ fd: Int32, _ path: String, size: Int,
                                     _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: size)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read '\(path)'")
            }
            if n == 0 { return }
            try body(chunk[0 ..< n])
        }
    }

    /// The size and sha256 (hex) of the file at `path`, read in chunks so that
    /// files of gigabytes need no more memory than one chunk.
    public static func digest(_ path: String) throws -> (size: Int, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open '\(path)'") }
        defer { close(fd) }
        var hash = SHA256(), size = 0
        try forEachChunk(fd, path, size: 1 << 20) {
            hash.update(Array($0))
            size += $0.count
        }
        return (size, hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    /// The size in bytes of the regular file at `path`, nil when there is none.
    public static func size(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Writes `bytes` to `path` so that readers see either the old file or the
    /// whole new one: a temporary file in the same folder, synced, then renamed.
    /// On any failure nothing is left behind.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw RestoreError(.io, "'\(path)' names a folder, not a file") }
        var template = Array("\(folder).\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ioError("cannot write '\(path)'") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ioError("cannot write '\(path)'")
                    }
                    offset += n
                }
            }
            _ = fchmod(fd, 0o644)
            guard fsync(fd) == 0 else { throw ioError("cannot write '\(path)'") }
        }
        guard rename(temporary, path) == 0 else { throw ioError("cannot write '\(path)'") }
        ok = true
    }

    /// Throws unless a file can be created at `path` (checked before long work,
    /// so a bad output path fails fast). Nothing is left behind.
    public static func checkWritable(_ path: String) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? "./"
        guard !path.hasSuffix("/") else { throw RestoreError(.io, "'\(path)' names a folder, not a file") }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw ioError("cannot write into folder '\(folder)' for '\(path)'")
        }
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw RestoreError(.io, "'\(path)' is a folder, not a file")
        }
    }

    private static func ioError(_ what: String) -> RestoreError {
        RestoreError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
