/// The entries of a zip archive in a memory-mapped file, as PyTorch's
/// `torch.save` writes them: stored (uncompressed), so each entry's data is a
/// byte range of the file that can be read in place.
///
/// Format (PKWARE APPNOTE): local file headers with their data, a central
/// directory listing every entry (name, method, sizes, local header offset),
/// and the end-of-central-directory record; archives over 4 GiB or 65535
/// entries add a ZIP64 end record, found through its locator, and ZIP64 extra
/// fields in the directory entries. Opening checks every offset and size
/// against the file — the directory's span, each local header, each entry's
/// data — so no later read can leave the mapping. A compressed or encrypted
/// entry is an error only when its data is asked for. CRCs are not checked:
/// that would read every byte of a multi-gigabyte checkpoint up front.
final class ZipArchive: @unchecked Sendable {
    /// One entry of the central directory.
    struct Entry {
        let name: String
        /// 0: stored; anything else is a compression method.
        let method: UInt16
        let encrypted: Bool
        /// Where the entry's (possibly compressed) bytes lie in the file.
        let data: Range<Int>
        /// The size of the entry once decompressed.
        let size: Int
    }

    let path: String
    let file: MappedFile
    /// The entries in directory order.
    let entries: [Entry]
    private let index: [String: Int]

    /// Maps and indexes the archive at `path`.
    init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let reader = Reader(bytes: file.bytes, path: path)
        entries = try reader.entries()
        var index: [String: Int] = [:]
        for (i, entry) in entries.enumerated() {
            guard index.updateValue(i, forKey: entry.name) == nil else {
                throw reader.fail("entry '\(entry.name)' appears twice in the central directory")
            }
        }
        self.index = index
    }

    /// The entry named `name`, if any.
    func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The bytes of `entry`, which must be stored uncompressed and unencrypted.
    func storedData(_ entry: Entry) throws -> Range<Int> {
        guard !entry.encrypted else { throw Self.error(path, "entry '\(entry.name)' is encrypted") }
        guard entry.method == 0 else {
            throw Self.error(path, "entry '\(entry.name)' is compressed (method \(entry.method)); only stored entries can be read in place, as torch.save writes them")
        }
        guard entry.data.count == entry.size else {
            throw Self.error(path, "stored entry '\(entry.name)' holds \(entry.data.count) bytes but says it expands to \(entry.size)")
        }
        return entry.data
    }

    static func error(_ path: String, _ what: String) -> RestoreError {
        RestoreError(.model, "'\(path)': zip archive: \(what)")
    }

    /// Bounds-checked little-endian reads of the archive's structures.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let path: String

        static let endSignature: UInt32 = 0x0605_4B50
        static let zip64LocatorSignature: UInt32 = 0x0706_4B50
        static let zip64EndSignature: UInt32 = 0x0606_4B50
        static let directorySignature: UInt32 = 0x0201_4B50
        static let localSignature: UInt32 = 0x0403_4B50

        func fail(_ what: String) -> RestoreError { ZipArchive.error(path, what) }

        /// The `width`-byte little-endian integer at `offset`, which must lie in the file.
        func integer(_ offset: Int, _ width: Int, _ what: String) throws -> UInt64 {
            guard offset >= 0, offset <= bytes.count - width else {
                throw fail("\(what) at byte \(offset) runs past the end of the file (\(bytes.count) bytes; truncated?)")
            }
            var value: UInt64 = 0
            for i in (0 ..< width).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
            return value
        }

        /// `value` as an offset or size within the file.
        func within(_ value: UInt64, _ what: String) throws -> Int {
            guard value <= UInt64(bytes.count) else {
                throw fail("\(what) \(value) lies past the end of the file (\(bytes.count) bytes; truncated?)")
            }
            return Int(value)
        }

        /// The end-of-central-directory record's offset: the last signature
        /// whose comment length reaches exactly the end of the file.
        func endRecord() throws -> Int {
            guard bytes.count >= 22 else { throw fail("the file is \(bytes.count) bytes, too short for a zip archive") }
            let lowest = max(0, bytes.count - 22 - 0xFFFF)
            for offset in stride(from: bytes.count - 22, through: lowest, by: -1) {
                if try integer(offset, 4, "signature") == UInt64(Self.endSignature),
                   try offset + 22 + Int(integer(offset + 20, 2, "comment length")) == bytes.count {
                    return offset
                }
            }
            throw fail("no end-of-central-directory record (not a zip archive, or truncated)")
        }

        /// The central directory's offset, size and entry count.
        func directory() throws -> (offset: Int, size: Int, count: Int) {
            let end = try endRecord()
            let disk = try integer(end + 4, 2, "disk number"), directoryDisk = try integer(end + 6, 2, "directory disk")
            var count = try integer(end + 10, 2, "entry count")
            var size = try integer(end + 12, 4, "directory size")
            var offset = try integer(end + 16, 4, "directory offset")
            if end >= 20, try integer(end - 20, 4, "ZIP64 locator") == UInt64(Self.zip64LocatorSignature) {
                let record = try within(try integer(end - 20 + 8, 8, "ZIP64 end record offset"), "ZIP64 end record offset")
                guard try integer(record, 4, "ZIP64 end record") == UInt64(Self.zip64EndSignature) else {
                    throw fail("the ZIP64 locator points at byte \(record), where no ZIP64 end record is")
                }
                count = try integer(record + 32, 8, "ZIP64 entry count")
                size = try integer(record + 40, 8, "ZIP64 directory size")
                offset = try integer(record + 48, 8, "ZIP64 directory offset")
            } else if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
                throw fail("the end record defers to a ZIP64 record that is missing")
            }
            guard disk == 0, directoryDisk == 0 else { throw fail("multi-volume archives are not supported") }
            let start = try within(offset, "directory offset")
            let length = try within(size, "directory size")
            guard length <= bytes.count - start else {
                throw fail("the central directory (bytes \(start) + \(length)) runs past the end of the file (\(bytes.count) bytes; truncated?)")
            }
            // Each directory entry takes at least 46 bytes.
            guard count <= UInt64(length / 46) else {
                throw fail("\(count) entries cannot fit a central directory of \(length) bytes")
            }
            return (start, length, Int(count))
        }

        func entries() throws -> [Entry] {
            let (start, directorySize, count) = try directory()
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            var offset = start
            for n in 0 ..< count {
                guard try integer(offset, 4, "directory entry \(n)") == UInt64(Self.directorySignature) else {
                    throw fail("directory entry \(n) at byte \(offset) has no entry signature")
                }
                let flags = try integer(offset + 8, 2, "flags")
                let method = UInt16(try integer(offset + 10, 2, "method"))
                var compressed = try integer(offset + 20, 4, "compressed size")
                var size = try integer(offset + 24, 4, "size")
                let nameLength = Int(try integer(offset + 28, 2, "name length"))
                let extraLength = Int(try integer(offset + 30, 2, "extra length"))
                let commentLength = Int(try integer(offset + 32, 2, "comment length"))
                var local = try integer(offset + 42, 4, "local header offset")
                let nameStart = offset + 46
                let next = nameStart + nameLength + extraLength + commentLength
                guard next <= start + directorySize else {
                    throw fail("directory entry \(n) at byte \(offset) runs past the central directory")
                }
                let name = String(decoding: bytes[nameStart ..< nameStart + nameLength], as: UTF8.self)
                // A ZIP64 extra field holds, in this order, each of the sizes and
                // the offset whose 32-bit field is saturated.
                var extra = nameStart + nameLength
                while extra + 4 <= nameStart + nameLength + extraLength {
                    let id = try integer(extra, 2, "extra field id"), length = Int(try integer(extra + 2, 2, "extra field length"))
                    guard extra + 4 + length <= nameStart + nameLength + extraLength else {
                        throw fail("entry '\(name)': an extra field runs past its entry")
                    }
                    if id == 1 {
                        var field = extra + 4
                        func next64() throws -> UInt64 {
                            guard field + 8 <= extra + 4 + length else { throw fail("entry '\(name)': ZIP64 extra field too short") }
                            defer { field += 8 }
                            return try integer(field, 8, "ZIP64 value")
                        }
                        if size == 0xFFFF_FFFF { size = try next64() }
                        if compressed == 0xFFFF_FFFF { compressed = try next64() }
                        if local == 0xFFFF_FFFF { local = try next64() }
                    }
                    extra += 4 + length
                }
                entries.append(try entry(name, method: method, encrypted: flags & 1 != 0,
                                         local: local, compressed: compressed, size: size))
                offset = next
            }
            return entries
        }

        /// The entry whose local header is at `local`, its data checked to lie in the file.
        func entry(_ name: String, method: UInt16, encrypted: Bool, local: UInt64, compressed: UInt64, size: UInt64) throws -> Entry {
            let header = try within(local, "entry '\(name)': local header offset")
            guard try integer(header, 4, "entry '\(name)': local header") == UInt64(Self.localSignature) else {
                throw fail("entry '\(name)': no local header at byte \(header)")
            }
            let nameLength = Int(try integer(header + 26, 2, "entry '\(name)': local name length"))
            let extraLength = Int(try integer(header + 28, 2, "entry '\(name)': local extra length"))
            let dataStart = header + 30 + nameLength + extraLength
            guard dataStart <= bytes.count,
                  bytes[header + 30 ..< header + 30 + nameLength].elementsEqual(name.utf8) else {
                throw fail("entry '\(name)': the local header at byte \(header) names another entry, or runs past the end of the file")
            }
            let length = try within(compressed, "entry '\(name)': size")
            guard length <= bytes.count - dataStart else {
                throw fail("entry '\(name)': its \(length) bytes from byte \(dataStart) run past the end of the file (\(bytes.count) bytes; truncated?)")
            }
            guard size <= UInt64(Int.max) else { throw fail("entry '\(name)': size \(size) is out of range") }
            return Entry(name: name, method: method, encrypted: encrypted, data: dataStart ..< dataStart + length, size: Int(size))
        }
    }
}
