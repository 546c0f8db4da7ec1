@testable import RestoreKitCore

/// `torch.save` zip files written here byte by byte, the way PyTorch 2 writes
/// them: a protocol-2 pickle of `{"state_dict": OrderedDict(name →
/// _rebuild_tensor_v2(...)), "global_step": …, …}` with its storages as
/// `archive/data/KEY` entries, stored, optionally with ZIP64 records.
struct TorchZipWriter {
    struct Tensor {
        var name: String
        var storage: String
        var offset = 0
        var shape: [Int]
        var stride: [Int]? = nil
    }

    /// One storage: its class (`FloatStorage`, …), element count and raw bytes.
    struct Storage {
        var type = "FloatStorage"
        var count: Int
        var bytes: [UInt8]

        static func floats(_ values: [Float]) -> Storage {
            Storage(count: values.count, bytes: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        }
    }

    var tensors: [Tensor]
    var storages: [String: Storage]
    /// Pickle bytes standing for one tensor's value instead of `_rebuild_tensor_v2`, by name.
    var replacedValues: [String: [UInt8]] = [:]
    /// Entries (by name within the archive folder) written compressed (method 8), bytes unchanged.
    var compressed: Set<String> = []
    var zip64 = false

    /// Tensors each with its own float storage.
    init(floats: [(name: String, shape: [Int], values: [Float])]) {
        tensors = floats.enumerated().map { Tensor(name: $1.name, storage: "\($0)", shape: $1.shape) }
        storages = Dictionary(uniqueKeysWithValues: floats.enumerated().map { ("\($0)", Storage.floats($1.values)) })
    }

    init(tensors: [Tensor], storages: [String: Storage]) {
        self.tensors = tensors
        self.storages = storages
    }

    // MARK: pickle

    private static func string(_ s: String) -> [UInt8] {
        [0x58] + withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian, Array.init) + Array(s.utf8)
    }

    private static func int(_ n: Int) -> [UInt8] {
        n < 256 ? [0x4B, UInt8(n)] : [0x4A] + withUnsafeBytes(of: Int32(n).littleEndian, Array.init)
    }

    private static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }

    private static func tuple(_ values: [Int]) -> [UInt8] { [0x28] + values.flatMap(int) + [0x74] }

    /// What the Lightning-style extras pickle to: an instance built with NEWOBJ and BUILD, a float, a set, None.
    static let extras: [UInt8] = string("global_step") + int(1)
        + string("hyper_parameters") + global("lightning_stub", "AttributeDict") + [0x29, 0x81, 0x7D, 0x28]
        + string("lr") + [0x47, 0x3F, 0x1A, 0x36, 0xE2, 0xEB, 0x1C, 0x43, 0x2D] + [0x75, 0x62]
        + string("tags") + global("builtins", "set") + [0x5D, 0x28] + string("sd") + [0x65, 0x85, 0x52]
        + string("note") + [0x4E]

    func pickle() -> [UInt8] {
        var out: [UInt8] = [0x80, 0x02, 0x7D, 0x28] + Self.string("state_dict")
        out += Self.global("collections", "OrderedDict") + [0x29, 0x52, 0x28]
        for tensor in tensors {
            out += Self.string(tensor.name)
            if let replaced = replacedValues[tensor.name] {
                out += replaced
                continue
            }
            let storage = storages[tensor.storage]
            out += Self.global("torch._utils", "_rebuild_tensor_v2") + [0x28, 0x28] + Self.string("storage")
            out += Self.global("torch", storage?.type ?? "FloatStorage") + Self.string(tensor.storage) + Self.string("cpu")
            out += Self.int(storage?.count ?? 0) + [0x74, 0x51] + Self.int(tensor.offset) + Self.tuple(tensor.shape)
            out += Self.tuple(tensor.stride ?? StoredTensor.rowMajorStrides(tensor.shape))
            out += [0x89] + Self.global("collections", "OrderedDict") + [0x29, 0x52, 0x74, 0x52]
        }
        // SETITEMS, then the state dict's `_metadata` attribute (BUILD), then the extras.
        out += [0x75, 0x7D] + Self.string("_metadata") + [0x7D, 0x73, 0x62]
        return out + Self.extras + [0x75, 0x2E]
    }

    // MARK: zip

    /// The archive's entries: pickle, byteorder, storages, version.
    func entries() -> [(name: String, data: [UInt8])] {
        [("archive/data.pkl", pickle()), ("archive/byteorder", Array("little".utf8))]
            + storages.keys.sorted().map { ("archive/data/\($0)", storages[$0]!.bytes) }
            + [("archive/version", Array("3\n".utf8))]
    }

    func bytes() -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, Array.init) }
        func u64(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(v).littleEndian, Array.init) }
        var out: [UInt8] = []
        var directory: [UInt8] = []
        let entries = entries()
        for (name, data) in entries {
            let method = compressed.contains(String(name.dropFirst("archive/".count))) ? 8 : 0
            let offset = out.count
            out += u32(0x0403_4B50) + u16(20) + u16(0) + u16(method) + u32(0) + u32(0)
            out += u32(data.count) + u32(data.count) + u16(name.utf8.count) + u16(0) + Array(name.utf8) + data
            let extra = zip64 ? u16(1) + u16(24) + u64(data.count) + u64(data.count) + u64(offset) : []
            let saturated = zip64 ? 0xFFFF_FFFF : -1
            directory += u32(0x0201_4B50) + u16(45) + u16(20) + u16(0) + u16(method) + u32(0) + u32(0)
            directory += u32(zip64 ? saturated : data.count) + u32(zip64 ? saturated : data.count)
            directory += u16(name.utf8.count) + u16(extra.count) + u16(0) + u16(0) + u16(0) + u32(0)
            directory += u32(zip64 ? saturated : offset) + Array(name.utf8) + extra
        }
        let directoryOffset = out.count
        out += directory
        if zip64 {
            let record = out.count
            out += u32(0x0606_4B50) + u64(44) + u16(45) + u16(45) + u32(0) + u32(0)
            out += u64(entries.count) + u64(entries.count) + u64(directory.count) + u64(directoryOffset)
            out += u32(0x0706_4B50) + u32(0) + u64(record) + u32(1)
        }
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(zip64 ? 0xFFFF : entries.count) + u16(zip64 ? 0xFFFF : entries.count)
        out += u32(zip64 ? 0xFFFF_FFFF : directory.count) + u32(zip64 ? 0xFFFF_FFFF : directoryOffset) + u16(0)
        return out
    }
}
