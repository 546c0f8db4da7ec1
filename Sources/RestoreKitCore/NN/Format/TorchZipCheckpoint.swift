/// The tensors of a PyTorch checkpoint in the zip serialisation `torch.save`
/// writes since PyTorch 1.6 (`.ckpt`, `.pt`, `.pth`), found without Python,
/// torch or running any of the pickle's code, and read lazily from the mapped file.
///
/// Layout (torch/serialization.py, `_save`): a zip archive of stored entries
/// under one folder — `NAME/data.pkl`, the pickled object; `NAME/data/KEY`, the
/// raw bytes of each storage; `NAME/byteorder` ("little", absent in old files);
/// `NAME/version` and other bookkeeping. In the pickle each tensor is
/// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` and each
/// storage the persistent id `('storage', torch.FloatStorage, KEY, location,
/// numel)` (HalfStorage, BFloat16Storage, LongStorage, … likewise).
///
/// The state dict is the pickled dict itself or, for training checkpoints
/// (PyTorch Lightning's, Stable Diffusion's `.ckpt`), the dict under its
/// `"state_dict"` key, descended into as long as there is one. The other
/// entries of such a checkpoint (`global_step`, callbacks, hyper-parameter
/// objects) are parsed symbolically and ignored. In the state dict, anything
/// that is not a tensor built as above — a call of another global, which
/// reading would need Python to run — is a `RestoreError(.model, …)` naming the
/// tensor and the global, as is every storage or view that leaves its entry.
public final class TorchZipCheckpoint: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// The state dict's tensors, in its order.
    public let tensors: [(name: String, tensor: StoredTensor)]

    /// Element types of torch's storage classes, by class name.
    static let storageTypes: [String: SafeTensorsDType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    /// Opens the checkpoint at `path`.
    public init(path: String) throws {
        self.path = path
        let archive = try ZipArchive(path: path)
        func fail(_ what: String) -> RestoreError { RestoreError(.model, "'\(path)': PyTorch checkpoint: \(what)") }

        let pickles = archive.entries.filter { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw fail(pickles.isEmpty ? "the archive has no FOLDER/data.pkl (not a torch.save file)"
                                       : "the archive has \(pickles.count) FOLDER/data.pkl entries")
        }
        let folder = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(folder + "byteorder") {
            let bytes = try archive.storedData(order)
            guard archive.file.bytes[bytes].elementsEqual("little".utf8) else {
                throw fail("the storages are big-endian ('\(folder)byteorder'); only little-endian is supported")
            }
        }
        let program = Array(archive.file.bytes[try archive.storedData(pickle)])
        let root: PickleValue
        do {
            root = try PickleMachine.load(program, at: 0, vocabulary: .checkpoint).value
        } catch {
            throw fail("'\(pickle.name)' byte \(error.offset): \(error.message)")
        }

        var state = root
        while case .dict(let dict) = state, let inner = dict.items.first(where: { $0.key.isString("state_dict") }) {
            state = inner.value
        }
        guard case .dict(let stateDict) = state else {
            throw fail("the pickled object is \(state.kindDescription), not a state dict")
        }
        var reader = StorageReader(archive: archive, folder: folder, fail: fail)
        var tensors: [(name: String, tensor: StoredTensor)] = []
        tensors.reserveCapacity(stateDict.items.count)
        for (key, value) in stateDict.items {
            guard case .string(let name) = key else { throw fail("a state dict key is \(key.kindDescription), not a string") }
            tensors.append((name, try reader.tensor(name, value)))
        }
        self.tensors = tensors
    }

    /// Turns the state dict's values into tensors over the archive's storages.
    private struct StorageReader {
        let archive: ZipArchive
        let folder: String
        let fail: (String) -> RestoreError
        /// Each storage's element type, element count and bytes, by key.
        private var storages: [String: (dtype: SafeTensorsDType, count: Int, bytes: Range<Int>)] = [:]

        init(archive: ZipArchive, folder: String, fail: @escaping (String) -> RestoreError) {
            self.archive = archive
            self.folder = folder
            self.fail = fail
        }

        /// The tensor `value` builds, for state dict entry `name`.
        mutating func tensor(_ name: String, _ value: PickleValue) throws -> StoredTensor {
            guard case .call(let module, let function, let arguments) = value else {
                throw fail("'\(name)' is \(value.kindDescription), not a tensor")
            }
            switch (module, function) {
            case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
                guard arguments.count >= 4, case .persistent(let id) = arguments[0], case .int(let offset) = arguments[1],
                      let shape = arguments[2].integers, let strides = arguments[3].integers, shape.count == strides.count else {
                    throw fail("'\(name)': \(module).\(function) without (storage, offset, size, stride)")
                }
                let storage = try self.storage(name, id)
                guard let tensor = StoredTensor(file: archive.file, region: storage.bytes, offset: offset, dtype: storage.dtype,
                                                shape: shape, strides: strides, origin: name) else {
                    throw fail("tensor '\(name)' (shape \(shape), stride \(strides) at element \(offset)) does not fit its storage of \(storage.count) elements")
                }
                return tensor
            case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
                // nn.Parameter(data, requires_grad, hooks[, state]): the data is a tensor.
                guard let data = arguments.first else { throw fail("'\(name)': \(module).\(function) without data") }
                return try tensor(name, data)
            default:
                throw fail("'\(name)' is built by \(module).\(function), which reading would have to run; only tensors (torch._utils._rebuild_tensor_v2) are read")
            }
        }

        /// The storage a persistent id `('storage', type, key, location, numel)` names.
        mutating func storage(_ name: String, _ id: PickleValue) throws -> (dtype: SafeTensorsDType, count: Int, bytes: Range<Int>) {
            guard case .tuple(let parts) = id, parts.count == 5, parts[0].isString("storage"),
                  case .global(let module, let type) = parts[1], case .string(let key) = parts[2],
                  case .int(let count) = parts[4], count >= 0 else {
                throw fail("'\(name)': the storage is \(id.kindDescription), not ('storage', type, key, location, numel)")
            }
            guard module == "torch", let dtype = TorchZipCheckpoint.storageTypes[type] else {
                throw fail("'\(name)': storage type \(module).\(type) is not supported")
            }
            if let known = storages[key] {
                guard known.dtype == dtype, known.count == count else {
                    throw fail("'\(name)': storage '\(key)' is declared as \(dtype.rawValue) × \(count) and as \(known.dtype.rawValue) × \(known.count)")
                }
                return known
            }
            guard let entry = archive.entry(folder + "data/" + key) else {
                throw fail("'\(name)': storage '\(key)' has no entry '\(folder)data/\(key)' in the archive")
            }
            let bytes = try archive.storedData(entry)
            let (size, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, size == bytes.count else {
                throw fail("'\(name)': storage '\(key)' of \(count) \(dtype.rawValue) elements has \(bytes.count) bytes in the archive")
            }
            storages[key] = (dtype, count, bytes)
            return (dtype, count, bytes)
        }
    }
}

private extension PickleValue {
    /// Whether this is the string `text`.
    func isString(_ text: String) -> Bool {
        if case .string(let s) = self { s == text } else { false }
    }

    /// The integers of a tuple of integers.
    var integers: [Int]? {
        guard case .tuple(let items) = self else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .int(let n) = item else { return nil }
            out.append(n)
        }
        return out
    }
}
