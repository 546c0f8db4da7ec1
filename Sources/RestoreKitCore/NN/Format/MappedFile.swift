#if canImport(Glibc)
import Glibc
#endif

/// A whole file mapped read-only into memory, unmapped when released.
///
/// Weight files run to gigabytes (the diffusion backend's UNet): mapping them
/// lets the kernel page in only the tensors that are read, and share the pages
/// between processes, instead of copying every byte up front.
final class MappedFile: @unchecked Sendable {
    /// The file's path, for messages.
    let path: String
    /// The file's bytes (empty for an empty file, which cannot be mapped).
    let bytes: UnsafeRawBufferPointer

    /// Maps the regular file at `path`; throws `RestoreError(.io, …)` when it
    /// cannot be opened, is not a regular file, or cannot be mapped.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("cannot open '\(path)'") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Self.ioError("cannot stat '\(path)'") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw RestoreError(.io, "'\(path)' is not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { throw Self.ioError("cannot map '\(path)' into memory") }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    private static func ioError(_ what: String) -> RestoreError {
        RestoreError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
