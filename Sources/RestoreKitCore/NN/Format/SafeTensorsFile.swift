/// A safetensors weight file, memory-mapped and validated when opened.
///
/// Format (huggingface/safetensors): an unsigned little-endian 64-bit header
/// length N, N bytes of UTF-8 JSON, then the data section. The JSON object maps
/// each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`
/// (offsets relative to the data section) and may hold `"__metadata__"`, a map
/// of strings to strings.
///
/// Opening checks everything the reference implementation checks, so that no
/// later read can leave the file: the header length against the file size, the
/// JSON (strictly, see `HeaderJSON`), every dtype, every shape's element count
/// times the dtype size against its byte span (products checked for overflow),
/// and that the tensors tile the data section exactly, without overlaps, gaps
/// or trailing bytes. Every problem is a `RestoreError(.model, …)` naming the
/// file, the tensor and what is wrong.
public final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header entry.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range within the data section.
        public let dataOffsets: Range<Int>

        /// The number of elements (1 for a scalar's empty shape).
        public var count: Int { dataOffsets.count / dtype.size }
    }

    /// The largest header accepted (the reference implementation's limit), so a
    /// corrupt length cannot make the reader copy gigabytes.
    public static let maximumHeaderSize = 100_000_000

    /// The file's path.
    public let path: String
    /// The `__metadata__` map (empty when the header has none).
    public let metadata: [String: String]
    /// The tensors in the order of their data.
    public let tensors: [TensorInfo]
    private let index: [String: Int]
    private let file: MappedFile
    private let dataStart: Int

    /// Maps and validates the file at `path`.
    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        let size = file.bytes.count
        guard size >= 8 else {
            throw Self.error(path, "the file is \(size) bytes, too short for the 8-byte header length")
        }
        let length = UInt64(littleEndian: file.bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(Self.maximumHeaderSize) else {
            throw Self.error(path, "header length \(length) is over the \(Self.maximumHeaderSize)-byte limit (not a safetensors file, or corrupt)")
        }
        guard Int(length) <= size - 8 else {
            throw Self.error(path, "header length \(length) runs past the end of the file (\(size) bytes; truncated?)")
        }
        dataStart = 8 + Int(length)
        let header = Array(file.bytes[8 ..< dataStart])
        (metadata, tensors) = try Self.parseHeader(header, dataSize: size - dataStart, path: path)
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The entry of tensor `name`.
    public func info(_ name: String) throws -> TensorInfo {
        guard let i = index[name] else { throw Self.error(path, "no tensor named '\(name)'") }
        return tensors[i]
    }

    /// The values of tensor `name` (F32, F16 or BF16) as Float, in row-major order.
    public func floats(_ name: String) throws -> [Float] {
        let tensor = try info(name)
        guard tensor.dtype.isReadableAsFloat else {
            throw Self.error(path, "tensor '\(name)' is \(tensor.dtype.rawValue); only F32, F16 and BF16 can be read as floats")
        }
        let count = tensor.count
        guard count > 0, let base = file.bytes.baseAddress else { return [] }
        let start = base + dataStart + tensor.dataOffsets.lowerBound
        return [Float](unsafeUninitializedCapacity: count) { out, initialised in
            for i in 0 ..< count { out[i] = tensor.dtype.float(start, i) }
            initialised = count
        }
    }

    /// Tensor `tensor` of this file, to be read when needed.
    func stored(_ tensor: TensorInfo) throws -> StoredTensor {
        let region = dataStart + tensor.dataOffsets.lowerBound ..< dataStart + tensor.dataOffsets.upperBound
        guard let stored = StoredTensor(file: file, region: region, offset: 0, dtype: tensor.dtype, shape: tensor.shape,
                                        strides: StoredTensor.rowMajorStrides(tensor.shape), origin: tensor.name) else {
            throw Self.error(path, "tensor '\(tensor.name)' of shape \(tensor.shape) does not fit its bytes")
        }
        return stored
    }

    /// The sha256 of the whole file as mapped, in hex: checking what is read
    /// rather than what a second open might find.
    public func sha256() -> String {
        var hash = SHA256()
        let chunk = 1 << 20
        for start in stride(from: 0, to: file.bytes.count, by: chunk) {
            hash.update(Array(file.bytes[start ..< min(start + chunk, file.bytes.count)]))
        }
        return hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Validates the header text against a data section of `dataSize` bytes.
    static func parseHeader(_ header: [UInt8], dataSize: Int, path: String)
        throws -> (metadata: [String: String], tensors: [TensorInfo]) {
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(header)
        } catch {
            throw Self.error(path, "header byte \(error.offset): \(error.message)")
        }
        guard case .object(let members) = json else {
            throw Self.error(path, "the header is \(json.kindDescription), not an object")
        }
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, path: path)
            } else {
                tensors.append(try parseTensor(name, value, dataSize: dataSize, path: path))
            }
        }
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var end = 0
        var previous: TensorInfo?
        for tensor in tensors {
            let range = tensor.dataOffsets
            if range.lowerBound < end, let previous {
                throw Self.error(path, "tensor '\(tensor.name)' (bytes \(range.lowerBound)..<\(range.upperBound)) overlaps '\(previous.name)' (bytes \(previous.dataOffsets.lowerBound)..<\(previous.dataOffsets.upperBound))")
            }
            if range.lowerBound > end {
                throw Self.error(path, "bytes \(end)..<\(range.lowerBound) of the data section belong to no tensor (before '\(tensor.name)')")
            }
            end = range.upperBound
            previous = tensor
        }
        guard end == dataSize else {
            throw Self.error(path, "bytes \(end)..<\(dataSize) at the end of the data section belong to no tensor")
        }
        return (metadata, tensors)
    }

    private static func parseMetadata(_ value: HeaderJSON, path: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw error(path, "__metadata__ is \(value.kindDescription), not an object of strings")
        }
        return try members.mapValues { entry in
            guard case .string(let text) = entry else {
                throw error(path, "a __metadata__ value is \(entry.kindDescription), not a string")
            }
            return text
        }
    }

    private static func parseTensor(_ name: String, _ value: HeaderJSON, dataSize: Int, path: String) throws -> TensorInfo {
        func fail(_ what: String) -> RestoreError { error(path, "tensor '\(name)': \(what)") }
        guard case .object(let fields) = value else { throw fail("its entry is \(value.kindDescription), not an object") }
        if let extra = fields.keys.sorted().first(where: { !["dtype", "shape", "data_offsets"].contains($0) }) {
            throw fail("unknown field '\(extra)'")
        }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw fail("'dtype' is missing or not a string") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw fail("unknown dtype '\(dtypeName)'")
        }
        guard case .array(let dims)? = fields["shape"] else { throw fail("'shape' is missing or not an array") }
        var shape: [Int] = []
        var count = 1
        var overflow = false
        for dim in dims {
            guard case .integer(let n) = dim else { throw fail("a shape entry is \(dim.kindDescription), not a size") }
            guard n <= UInt64(Int.max) else { throw fail("shape entry \(n) is too large") }
            shape.append(Int(n))
            let (product, o) = count.multipliedReportingOverflow(by: Int(n))
            count = product
            overflow = overflow || o
        }
        let (byteCount, o) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !o else {
            throw fail("shape \(shape) of \(dtype.rawValue) holds more bytes than any file can")
        }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
              case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1] else {
            throw fail("'data_offsets' is missing or not [begin, end]")
        }
        guard begin <= end else { throw fail("data_offsets [\(begin), \(end)] end before they begin") }
        guard end <= UInt64(dataSize) else {
            throw fail("data_offsets [\(begin), \(end)] run past the data section (\(dataSize) bytes; truncated?)")
        }
        guard Int(end - begin) == byteCount else {
            throw fail("shape \(shape) of \(dtype.rawValue) needs \(byteCount) bytes, but data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: Int(begin) ..< Int(end))
    }

    private static func error(_ path: String, _ what: String) -> RestoreError {
        RestoreError(.model, "'\(path)': safetensors: \(what)")
    }
}
