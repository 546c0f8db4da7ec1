/// Reads the weights of an ncnn `.bin` file in the order the layers ask for them.
///
/// ncnn's `ModelBin::load(count, type)`: type 1 is `count` raw float32 values
/// (biases, slopes); type 0 starts with a 4-byte storage tag:
///
/// | tag | data |
/// |---|---|
/// | `0x00000000` | `count` float32 |
/// | `0x01306B47` | `count` IEEE half floats, padded to a multiple of 4 bytes |
/// | `0x0002C056` | `count` float32 (raw with extra scaling, as ncnn reads it) |
/// | `0x000D4B38` | int8 quantised weights: not supported (needs int8 inference) |
/// | other, nonzero | a 256-entry float32 codebook and `count` byte indices, padded to 4 |
///
/// All values are little-endian. Reads past the end, and unsupported tags,
/// throw `RestoreError(.model, …)` naming the file, the layer and the byte offset.
public struct ModelBinReader {
    /// Tags of the type-0 weight blocks.
    enum Tag {
        static let float32: UInt32 = 0x0000_0000
        static let float16: UInt32 = 0x0130_6B47
        static let int8: UInt32 = 0x000D_4B38
        static let rawScaled: UInt32 = 0x0002_C056
    }

    private let bytes: [UInt8]
    private let file: String
    /// Bytes consumed so far.
    public private(set) var offset = 0
    /// The layer now reading, for messages.
    var layer = ""

    public init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Whether every byte was consumed (a longer file belongs to another network).
    public var isAtEnd: Bool { offset == bytes.count }
    /// The file size in bytes.
    public var size: Int { bytes.count }

    /// `count` weights in ncnn's tagged storage (type 0).
    mutating func loadTagged(_ count: Int) throws -> [Float] {
        let tagOffset = offset
        let tag = try readUInt32()
        switch tag {
        case Tag.float16:
            let values = try read(count, bytesPerValue: 2) { raw, i in
                Float16Bits.toFloat(UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8)
            }
            try skip(padding(count * 2))
            return values
        case Tag.float32, Tag.rawScaled:
            return try loadRaw(count)
        case Tag.int8:
            throw error(at: tagOffset, "int8-quantised weights are not supported (float32 or float16 only)")
        default:
            // Codebook quantisation: any other tag whose bytes are not all zero.
            let codebook = try loadRaw(256)
            let values = try read(count, bytesPerValue: 1) { raw, i in codebook[Int(raw[i])] }
            try skip(padding(count))
            return values
        }
    }

    /// `count` raw float32 values (type 1).
    mutating func loadRaw(_ count: Int) throws -> [Float] {
        try read(count, bytesPerValue: 4) { raw, i in
            Float(bitPattern: UInt32(raw[4 * i]) | UInt32(raw[4 * i + 1]) << 8
                | UInt32(raw[4 * i + 2]) << 16 | UInt32(raw[4 * i + 3]) << 24)
        }
    }

    /// The error for a problem at byte `at`.
    func error(at position: Int, _ what: String) -> RestoreError {
        RestoreError(.model, "\(file): layer '\(layer)': byte offset \(position): \(what)")
    }

    private func padding(_ length: Int) -> Int { (4 - length % 4) % 4 }

    private mutating func readUInt32() throws -> UInt32 {
        try require(4, "a 4-byte storage tag")
        defer { offset += 4 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    private mutating func skip(_ count: Int) throws {
        try require(count, "\(count) bytes of alignment padding")
        offset += count
    }

    private mutating func read(_ count: Int, bytesPerValue: Int,
                               _ decode: (UnsafeBufferPointer<UInt8>, Int) -> Float) throws -> [Float] {
        guard count >= 0, count <= (Int.max / 8) / bytesPerValue else {
            throw error(at: offset, "invalid weight count \(count)")
        }
        try require(count * bytesPerValue, "\(count) weights")
        let start = offset
        offset += count * bytesPerValue
        return bytes.withUnsafeBufferPointer { all in
            let raw = UnsafeBufferPointer(rebasing: all[start ..< start + count * bytesPerValue])
            return [Float](unsafeUninitializedCapacity: count) { out, initialised in
                for i in 0 ..< count { out[i] = decode(raw, i) }
                initialised = count
            }
        }
    }

    private func require(_ length: Int, _ what: String) throws {
        guard length <= bytes.count - offset else {
            throw error(at: offset, "the file ends after \(bytes.count) bytes, before \(what) (truncated, or weights of another network)")
        }
    }
}
