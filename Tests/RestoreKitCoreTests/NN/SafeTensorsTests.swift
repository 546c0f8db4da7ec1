import Testing
@testable import RestoreKitCore

@Suite struct SafeTensorsTests {
    /// A file image from header text and data bytes (the header length is the text's).
    static func file(_ header: String, _ data: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        return bytes + Array(header.utf8) + data
    }

    /// Writes `bytes` to a fresh temporary file and opens it.
    static func open(_ bytes: [UInt8]) throws -> SafeTensorsFile {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(bytes, to: folder + "/t.safetensors")
        return try SafeTensorsFile(path: folder + "/t.safetensors")
    }

    /// Expects opening `bytes` to fail with a model error whose message contains `phrase`.
    static func expectRejected(_ bytes: [UInt8], _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) { _ = try open(bytes) }
        #expect(error?.kind == .model, sourceLocation: sourceLocation)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
    }

    static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var bytes: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        return bytes
    }

    @Test func float32RoundTripWithMetadataScalarsAndEmptyTensors() throws {
        var writer = SafeTensorsWriter()
        let weights = NNTest.values(2 * 3 * 5)
        try writer.add("conv.weight", shape: [2, 3, 5], values: weights)
        try writer.add("scale", shape: [], values: [-0.0])
        try writer.add("empty", shape: [0, 4], values: [])
        try writer.add("odd \"name\"\n\u{e9}", shape: [3], values: [.infinity, -.greatestFiniteMagnitude, 1e-45])
        let metadata = ["format": "pt", "note": "quote \" backslash \\ tab \t é 😀 \u{1}"]
        let bytes = writer.bytes(metadata: metadata)
        #expect((bytes.count - 8 - 4 * (30 + 1 + 3)) % 8 == 0)
        let file = try Self.open(bytes)
        #expect(file.metadata == metadata)
        #expect(file.tensors.map(\.name) == ["conv.weight", "scale", "empty", "odd \"name\"\n\u{e9}"])
        #expect(try file.floats("conv.weight").map(\.bitPattern) == weights.map(\.bitPattern))
        #expect(try file.info("conv.weight").shape == [2, 3, 5])
        #expect(try file.floats("scale").map(\.bitPattern) == [Float(-0.0).bitPattern])
        #expect(try file.info("scale").count == 1)
        #expect(try file.floats("empty") == [])
        #expect(try file.floats("odd \"name\"\n\u{e9}") == [.infinity, -.greatestFiniteMagnitude, 1e-45])
    }

    @Test func float16AndBFloat16AreDecodedExactly() throws {
        let halves: [Float] = [1, -2.5, 65504, 6e-8, .infinity]
        let brains: [Float] = [1, -3.140625, 1e38, -0.0]
        let f16 = Self.le(halves.map { Float16($0).bitPattern })
        let bf16 = Self.le(brains.map { UInt16($0.bitPattern >> 16) })
        // Unaligned start (the F16 block is 10 bytes), spaces and newlines in the header.
        let header = """
            {"h": {"dtype": "F16", "shape": [5], "data_offsets": [0, 10]},
             "b": {"data_offsets": [10, 18], "shape": [2, 2], "dtype": "BF16"},
             "__metadata__": {}}\u{20}\u{20}
            """
        let file = try Self.open(Self.file(header, f16 + bf16))
        #expect(file.metadata.isEmpty)
        #expect(try file.floats("h") == halves.map { Float(Float16($0)) })
        #expect(try file.floats("b").map(\.bitPattern) == brains.map { $0.bitPattern & 0xFFFF_0000 })
        #expect(try file.info("b").dtype == .bf16)
    }

    @Test func otherDtypesValidateButAreNotFloats() throws {
        let file = try Self.open(Self.file(#"{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#, Self.le([Int64(3), 4])))
        #expect(try file.info("ids").count == 2)
        let error = #expect(throws: RestoreError.self) { try file.floats("ids") }
        #expect(error?.message.contains("is I64") == true)
        let missing = #expect(throws: RestoreError.self) { try file.floats("nope") }
        #expect(missing?.message.contains("no tensor named 'nope'") == true)
    }

    @Test func headerEscapesAndUnicode() throws {
        let header = #"{"__metadata__":{"k\u00e9\ud83d\ude00":"a\/b\\c\"\b\f\n\r\t"}}"#
        let file = try Self.open(Self.file(header))
        #expect(file.metadata == ["ké😀": "a/b\\c\"\u{8}\u{c}\n\r\t"])
        #expect(file.tensors.isEmpty)
    }

    @Test func truncatedFilesAndLyingHeaderLengths() throws {
        var writer = SafeTensorsWriter()
        try writer.add("w", shape: [4, 4], values: NNTest.values(16))
        let good = writer.bytes()
        Self.expectRejected([], "too short for the 8-byte header length")
        Self.expectRejected(Array(good.prefix(5)), "too short")
        Self.expectRejected(Array(good.prefix(40)), "runs past the end of the file")
        Self.expectRejected(Array(good.dropLast(1)), "run past the data section")
        Self.expectRejected(Array(good.dropLast(64)), "run past the data section")
        Self.expectRejected(Self.le([UInt64(1) << 40]) + [0x7B], "over the 100000000-byte limit")
        Self.expectRejected(Self.le([UInt64.max]), "over the 100000000-byte limit")
        Self.expectRejected(good + [0, 0, 0, 0], "at the end of the data section belong to no tensor")
    }

    @Test func offsetsThatOverlapLeaveGapsOrRunBackwards() {
        let data = [UInt8](repeating: 0, count: 16)
        func two(_ a: String, _ b: String) -> [UInt8] {
            Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":\#(a)},"b":{"dtype":"F32","shape":[2],"data_offsets":\#(b)}}"#, data)
        }
        Self.expectRejected(two("[0,8]", "[4,12]"), "overlaps 'a'")
        Self.expectRejected(two("[0,8]", "[0,8]"), "overlaps")
        Self.expectRejected(two("[0,8]", "[12,20]"), "run past the data section")
        Self.expectRejected(two("[0,8]", "[10,18]"), "run past the data section")
        Self.expectRejected(Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, Array(data.prefix(12))),
                            "bytes 0..<4 of the data section belong to no tensor")
        Self.expectRejected(Self.file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data), "end before they begin")
        Self.expectRejected(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, data),
                            "run past the data section")
        Self.expectRejected(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data), "not [begin, end]")
    }

    @Test func shapesThatDisagreeWithTheirBytesOrOverflow() {
        let data = [UInt8](repeating: 0, count: 16)
        func one(_ dtype: String, _ shape: String) -> [UInt8] {
            Self.file(#"{"w":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":[0,16]}}"#, data)
        }
        Self.expectRejected(one("F32", "[2,3]"), "needs 24 bytes, but data_offsets [0, 16] span 16")
        Self.expectRejected(one("F16", "[4]"), "needs 8 bytes")
        Self.expectRejected(one("F32", "[]"), "needs 4 bytes")
        Self.expectRejected(one("F32", "[4611686018427387904,4611686018427387904]"), "holds more bytes than any file can")
        Self.expectRejected(one("F64", "[2305843009213693952]"), "holds more bytes than any file can")
        // A zero dimension makes any other dimension harmless: zero elements.
        Self.expectRejected(one("F32", "[4611686018427387904,0,4611686018427387904]"), "needs 0 bytes")
        Self.expectRejected(one("F32", "[9223372036854775808]"), "too large")
        Self.expectRejected(one("F32", "[99999999999999999999]"), "number too large")
        Self.expectRejected(one("F33", "[4]"), "unknown dtype 'F33'")
        Self.expectRejected(one("f32", "[4]"), "unknown dtype 'f32'")
        Self.expectRejected(one("F32", "[-4]"), "unsupported JSON value starting with '-'")
        Self.expectRejected(one("F32", "[4.0]"), "fractional")
        Self.expectRejected(one("F32", "[04]"), "leading zero")
        Self.expectRejected(one("F32", "[\"4\"]"), "a shape entry is the string \"4\"")
        Self.expectRejected(one("F32", "4"), "'shape' is missing or not an array")
    }

    @Test func malformedHeaderJSON() {
        let entry = #"{"dtype":"F32","shape":[0],"data_offsets":[0,0]}"#
        Self.expectRejected(Self.file(""), "header byte 0: the header ends where a value should be")
        Self.expectRejected(Self.file("{\"w\":\(entry)"), "the header ends inside an object")
        Self.expectRejected(Self.file("{\"w\":\(entry),}"), "expected a quoted key")
        Self.expectRejected(Self.file("{\"w\":\(entry)}}"), "unexpected '}' after the end")
        Self.expectRejected(Self.file("{\"w\" \(entry)}"), "expected ':'")
        Self.expectRejected(Self.file("{\"w\":\(entry) \"v\":\(entry)}"), "expected ',' or '}'")
        Self.expectRejected(Self.file("{\"w\":\(entry),\"w\":\(entry)}"), "duplicate key \"w\"")
        Self.expectRejected(Self.file("[\(entry)]"), "the header is an array, not an object")
        Self.expectRejected(Self.file("{\"w\":true}"), "unsupported JSON value starting with 't'")
        Self.expectRejected(Self.file("{\"w\":null}"), "unsupported JSON value")
        Self.expectRejected(Self.file("{\"w\":\"F32\"}"), "tensor 'w': its entry is the string \"F32\", not an object")
        Self.expectRejected(Self.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":[]}}"), "unknown field 'x'")
        Self.expectRejected(Self.file("{\"w\":{\"shape\":[0],\"data_offsets\":[0,0]}}"), "'dtype' is missing")
        Self.expectRejected(Self.file("{\"__metadata__\":{\"a\":1}}"), "a __metadata__ value is the number 1")
        Self.expectRejected(Self.file("{\"__metadata__\":[]}"), "__metadata__ is an array")
        Self.expectRejected(Self.file("{\"a\tb\":1}"), "control character 0x9 inside a string")
        Self.expectRejected(Self.file("{\"a\\qb\":1}"), "invalid escape '\\q'")
        Self.expectRejected(Self.file("{\"\\ud800\":1}"), "lone UTF-16 surrogate")
        Self.expectRejected(Self.file("{\"\\ud800\\u0041\":1}"), "lone UTF-16 surrogate")
        Self.expectRejected(Self.file("{\"\\udc00\":1}"), "lone UTF-16 surrogate")
        Self.expectRejected(Self.file("{\"\\u00g0\":1}"), "invalid hex digit 'g'")
        Self.expectRejected(Self.file("{\"\\u00"), "the header ends inside a \\u escape")
        Self.expectRejected(Self.file("{\"abc"), "unterminated string")
        Self.expectRejected(Self.le([UInt64(6)]) + [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "not valid UTF-8")
        Self.expectRejected(Self.file(String(repeating: "[", count: 100_000)), "nesting deeper than 16 levels")
        Self.expectRejected(Self.file("{\"w\":\(entry)}\u{0}"), "unexpected 'byte 0x0'")
    }

    @Test func filesThatAreNotThere() {
        let missing = #expect(throws: RestoreError.self) { try SafeTensorsFile(path: "/nonexistent/w.safetensors") }
        #expect(missing?.kind == .io)
        let folder = #expect(throws: RestoreError.self) { try SafeTensorsFile(path: "/tmp") }
        #expect(folder?.message.contains("not a regular file") == true)
    }

    @Test func writerRefusesInconsistentTensors() {
        var writer = SafeTensorsWriter()
        #expect(throws: RestoreError.self) { try writer.add("w", shape: [2, 2], values: [1, 2, 3]) }
        #expect(throws: RestoreError.self) { try writer.add("w", shape: [Int.max, 2], values: []) }
        #expect(throws: RestoreError.self) { try writer.add("w", shape: [-1, -1], values: [1]) }
        #expect(throws: RestoreError.self) { try writer.add("__metadata__", shape: [], values: [1]) }
        #expect(throws: Never.self) { try writer.add("w", shape: [1], values: [1]) }
        #expect(throws: RestoreError.self) { try writer.add("w", shape: [1], values: [1]) }
    }
}
