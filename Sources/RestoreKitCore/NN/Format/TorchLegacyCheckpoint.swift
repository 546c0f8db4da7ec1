/// The float32 tensors of a PyTorch state dict saved in the legacy (non-zip)
/// `torch.save` serialisation, as written by PyTorch before 1.6 — read
/// without Python or torch.
///
/// Layout (torch/serialization.py, `_legacy_save`): five pickles back to
/// back — the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001,
/// a dict of system information (`little_endian` must be true), the state dict
/// itself, and the list of storage keys — then, for each key in that order,
/// the storage: its element count as a little-endian int64 and its elements.
/// In the state dict each tensor is `torch._utils._rebuild_tensor(storage,
/// offset, size, stride)` and each storage the persistent id
/// `('storage', torch.FloatStorage, key, location, size, None)`.
///
/// Only what PyTorch writes for a plain float32 state dict is supported
/// (see `PickleMachine` for the opcodes); other storage types, views and
/// non-contiguous tensors are `RestoreError(.model, …)` naming the file, the
/// tensor and the byte offset, as is every count or offset that leaves the file.
public struct TorchLegacyCheckpoint {
    /// One state-dict entry.
    public struct Tensor: Sendable {
        public let name: String
        public let shape: [Int]
        /// Row-major values.
        public let values: [Float]
    }

    /// The state dict's tensors, in its order.
    public let tensors: [Tensor]

    /// The magic number's little-endian bytes.
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    /// The only legacy protocol version.
    static let protocolVersion = 1001

    /// A tensor as the state dict describes it, before its storage is read.
    private struct Reference {
        let name: String
        let storage: String
        let offset: Int
        let shape: [Int]
        let stride: [Int]
    }

    /// Parses the checkpoint `bytes`; `file` names it in messages.
    public init(bytes: [UInt8], file: String) throws {
        func fail(_ offset: Int, _ what: String) -> RestoreError {
            RestoreError(.model, "'\(file)': PyTorch checkpoint: byte \(offset): \(what)")
        }
        func load(_ offset: Int) throws -> (value: PickleValue, end: Int) {
            do {
                return try PickleMachine.load(bytes, at: offset)
            } catch {
                throw fail(error.offset, error.message)
            }
        }
        if bytes.starts(with: Array("PK".utf8)) {
            throw fail(0, "a zip archive (the torch.save format of PyTorch 1.6 and later), not the legacy format")
        }
        let magic = try load(0)
        guard case .wideInt(let number) = magic.value, number == Self.magic else {
            throw fail(0, "no legacy torch.save magic number (found \(magic.value.kindDescription))")
        }
        let version = try load(magic.end)
        guard case .int(Self.protocolVersion) = version.value else {
            throw fail(magic.end, "protocol version is \(version.value.kindDescription), not \(Self.protocolVersion)")
        }
        let system = try load(version.end)
        guard case .dict(let info) = system.value,
              info.items.contains(where: { if case .string("little_endian") = $0.key, case .bool(true) = $0.value { true } else { false } }) else {
            throw fail(version.end, "the system information does not say little-endian")
        }
        let stateStart = system.end
        let state = try load(stateStart)
        let (references, storageSizes) = try Self.references(state.value) { fail(stateStart, $0) }
        let keys = try load(state.end)
        guard case .list(let keyList) = keys.value else {
            throw fail(state.end, "the storage key list is \(keys.value.kindDescription)")
        }

        var storages: [String: [Float]] = [:]
        var offset = keys.end
        for item in keyList.items {
            guard case .string(let key) = item, let declared = storageSizes[key], storages[key] == nil else {
                throw fail(state.end, "storage key \(item.kindDescription) is not a storage of the state dict, or listed twice")
            }
            guard bytes.count - offset >= 8 else { throw fail(offset, "the file ends before storage '\(key)' (truncated)") }
            var count: UInt64 = 0
            for i in 0 ..< 8 { count |= UInt64(bytes[offset + i]) << (8 * i) }
            guard count == UInt64(declared) else {
                throw fail(offset, "storage '\(key)' holds \(count) elements, the state dict says \(declared)")
            }
            offset += 8
            guard (bytes.count - offset) / 4 >= declared else {
                throw fail(offset, "the file ends inside storage '\(key)' (\(declared) floats; truncated)")
            }
            storages[key] = bytes.withUnsafeBytes { raw in
                (0 ..< declared).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))) }
            }
            offset += 4 * declared
        }
        guard offset == bytes.count else {
            throw fail(offset, "\(bytes.count - offset) bytes after the last storage")
        }
        tensors = try references.map { reference in
            guard let storage = storages[reference.storage] else {
                throw fail(state.end, "tensor '\(reference.name)' uses storage '\(reference.storage)', which the key list leaves out")
            }
            var count = 1
            var overflow = false
            var expected: [Int] = []
            for dim in reference.shape.reversed() {
                expected.insert(count, at: 0)
                let (product, o) = count.multipliedReportingOverflow(by: dim)
                count = product
                overflow = overflow || o || dim < 0
            }
            guard !overflow, reference.offset >= 0, reference.offset <= storage.count, count <= storage.count - reference.offset else {
                throw fail(stateStart, "tensor '\(reference.name)' (shape \(reference.shape) at element \(reference.offset)) does not fit its storage of \(storage.count)")
            }
            // A dimension of size 1 may carry any stride.
            guard zip(reference.shape, zip(reference.stride, expected)).allSatisfy({ $0 <= 1 || $1.0 == $1.1 }) else {
                throw fail(stateStart, "tensor '\(reference.name)' is not contiguous (stride \(reference.stride) for shape \(reference.shape))")
            }
            return Tensor(name: reference.name, shape: reference.shape,
                          values: Array(storage[reference.offset ..< reference.offset + count]))
        }
    }

    /// The state dict's tensor references, and each storage's declared element count.
    private static func references(_ state: PickleValue, _ fail: (String) -> RestoreError) throws
        -> ([Reference], [String: Int]) {
        guard case .dict(let dict) = state else { throw fail("the pickled object is \(state.kindDescription), not a state dict") }
        var references: [Reference] = []
        var sizes: [String: Int] = [:]
        for (key, value) in dict.items {
            guard case .string(let name) = key else { throw fail("a state dict key is \(key.kindDescription)") }
            guard case .call("torch._utils", "_rebuild_tensor", let arguments) = value, arguments.count == 4,
                  case .persistent(let id) = arguments[0], case .int(let offset) = arguments[1],
                  let shape = integers(arguments[2]), let stride = integers(arguments[3]), shape.count == stride.count else {
                throw fail("'\(name)' is \(value.kindDescription), not torch._utils._rebuild_tensor(storage, offset, size, stride)")
            }
            guard case .tuple(let parts) = id, parts.count == 6, case .string("storage") = parts[0],
                  case .global(let module, let type) = parts[1], case .string(let storage) = parts[2],
                  case .int(let size) = parts[4], size >= 0, case .none = parts[5] else {
                throw fail("'\(name)': the storage is \(id.kindDescription), not ('storage', type, key, location, size, None)")
            }
            guard module == "torch", type == "FloatStorage" else {
                throw fail("'\(name)': storage type \(module).\(type) is not supported (torch.FloatStorage only)")
            }
            guard sizes.updateValue(size, forKey: storage) ?? size == size else {
                throw fail("storage '\(storage)' is declared with two sizes")
            }
            references.append(Reference(name: name, storage: storage, offset: offset, shape: shape, stride: stride))
        }
        return (references, sizes)
    }

    private static func integers(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let items) = value else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .int(let n) = item else { return nil }
            out.append(n)
        }
        return out
    }
}
