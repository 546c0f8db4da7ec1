import Testing
@testable import RestoreKitCore

@Suite struct TorchZipCheckpointTests {
    static let weight = NNTest.values(6)
    static let bias: [Float] = [0.5, -1.5]

    static var sample: TorchZipWriter {
        TorchZipWriter(floats: [("model.w", [3, 2], weight), ("model.b", [2], bias)])
    }

    /// Opens `bytes` written to a file; the file is removed afterwards.
    static func open(_ bytes: [UInt8]) throws -> TorchZipCheckpoint {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(bytes, to: folder + "/model.ckpt")
        return try TorchZipCheckpoint(path: folder + "/model.ckpt")
    }

    static func expectRejected(_ bytes: [UInt8], _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) { _ = try open(bytes) }
        #expect(error?.kind == .model, sourceLocation: sourceLocation)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test func readsTheStateDictPastLightningExtras() throws {
        for zip64 in [false, true] {
            var writer = Self.sample
            writer.zip64 = zip64
            let checkpoint = try Self.open(writer.bytes())
            #expect(checkpoint.tensors.map(\.name) == ["model.w", "model.b"])
            #expect(checkpoint.tensors.map(\.tensor.shape) == [[3, 2], [2]])
            #expect(try checkpoint.tensors[0].tensor.floats() == Self.weight)
            #expect(try checkpoint.tensors[1].tensor.floats() == Self.bias)
        }
    }

    @Test func followsStridesOffsetsAndHalfStorages() throws {
        let shared = (0 ..< 10).map(Float.init)
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800] // 1, -2, 0.5
        var writer = TorchZipWriter(
            tensors: [.init(name: "transposed", storage: "s", shape: [2, 3], stride: [1, 2]),
                      .init(name: "tail", storage: "s", offset: 6, shape: [2, 2]),
                      .init(name: "half", storage: "h", shape: [3])],
            storages: ["s": .floats(shared),
                       "h": .init(type: "HalfStorage", count: 3, bytes: halves.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })])
        let tensors = try Self.open(writer.bytes()).tensors.map(\.tensor)
        #expect(try tensors[0].floats() == [0, 2, 4, 1, 3, 5])
        #expect(try tensors[1].floats() == [6, 7, 8, 9])
        #expect(tensors[2].dtype == .f16)
        #expect(try tensors[2].floats() == [1, -2, 0.5])
        writer.tensors = [.init(name: "past", storage: "s", offset: 7, shape: [2, 2])]
        Self.expectRejected(writer.bytes(), "tensor 'past' (shape [2, 2], stride [2, 1] at element 7) does not fit its storage of 10 elements")
    }

    @Test func everyTruncationIsAnErrorNeverACrash() {
        let bytes = Self.sample.bytes()
        for length in 0 ..< bytes.count {
            #expect(throws: RestoreError.self, "prefix of \(length) bytes") { _ = try Self.open(Array(bytes.prefix(length))) }
        }
        Self.expectRejected(Array(bytes.dropLast(1)), "no end-of-central-directory record (not a zip archive, or truncated)")
        Self.expectRejected(Array(bytes.prefix(bytes.count / 2)), "zip archive")
    }

    @Test func bitFlipsNeverCrash() {
        let bytes = Self.sample.bytes()
        for i in 0 ..< bytes.count {
            var damaged = bytes
            damaged[i] ^= 0xFF
            // Either an error or tensors (a flip inside float data is undetectable) whose values can be read.
            if let checkpoint = try? Self.open(damaged) {
                for (_, tensor) in checkpoint.tensors { _ = try? tensor.floats() }
            }
        }
    }

    @Test func compressedEntriesAreNamed() {
        var writer = Self.sample
        writer.compressed = ["data/1"]
        Self.expectRejected(writer.bytes(), "entry 'archive/data/1' is compressed (method 8)")
        writer.compressed = ["data.pkl"]
        Self.expectRejected(writer.bytes(), "entry 'archive/data.pkl' is compressed (method 8)")
    }

    @Test func globalsThatWouldRunCodeAreNamedNotRun() {
        var writer = Self.sample
        writer.replacedValues["model.b"] = [0x63] + Array("os\nsystem\n".utf8) + [0x28, 0x58, 4, 0, 0, 0] + Array("echo".utf8) + [0x74, 0x52]
        Self.expectRejected(writer.bytes(), "'model.b' is built by os.system, which reading would have to run")
        writer.replacedValues["model.b"] = [0x4B, 7]
        Self.expectRejected(writer.bytes(), "'model.b' is the integer 7, not a tensor")
    }

    @Test func storagesMustMatchTheirEntries() {
        var writer = Self.sample
        writer.storages["1"]!.count = 3
        Self.expectRejected(writer.bytes(), "storage '1' of 3 F32 elements has 8 bytes in the archive")
        writer = Self.sample
        writer.storages["1"]!.type = "ComplexFloatStorage"
        Self.expectRejected(writer.bytes(), "'model.b': storage type torch.ComplexFloatStorage is not supported")
        writer = Self.sample
        writer.tensors[1].storage = "9"
        Self.expectRejected(writer.bytes(), "storage '9' has no entry 'archive/data/9'")
    }

    @Test func foreignFiles() {
        Self.expectRejected(Array("not a zip at all, just some text".utf8), "no end-of-central-directory record")
        Self.expectRejected([], "too short for a zip archive")
    }
}
