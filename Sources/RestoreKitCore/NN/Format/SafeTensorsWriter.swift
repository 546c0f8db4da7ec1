/// Writes float32 tensors as a safetensors file image (the format `SafeTensorsFile` reads).
///
/// Tensors are stored in the order given, back to back; the header is padded
/// with spaces to a multiple of 8 bytes, as the reference writer does, so every
/// tensor's data starts 8-byte aligned.
public struct SafeTensorsWriter {
    private var header: [String] = []
    private var data: [UInt8] = []
    private var names: Set<String> = []

    public init() {}

    /// Appends tensor `name` of `shape` holding `values` in row-major order.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) throws {
        var count = 1
        var overflow = false
        for dim in shape {
            let (product, o) = count.multipliedReportingOverflow(by: dim)
            count = product
            overflow = overflow || o || dim < 0
        }
        guard !overflow, count == values.count else {
            throw RestoreError(.invalidArgument, "safetensors: tensor '\(name)' has shape \(shape) but \(values.count) values")
        }
        guard name != "__metadata__", names.insert(name).inserted else {
            throw RestoreError(.invalidArgument, "safetensors: tensor name '\(name)' is reserved or used twice")
        }
        let begin = data.count
        data.reserveCapacity(begin + 4 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        let dims = shape.map(String.init).joined(separator: ",")
        header.append("\(name.jsonQuoted):{\"dtype\":\"F32\",\"shape\":[\(dims)],\"data_offsets\":[\(begin),\(data.count)]}")
    }

    /// The file's bytes, with `metadata` as its `__metadata__` map (left out when empty).
    public func bytes(metadata: [String: String] = [:]) -> [UInt8] {
        var members = header
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key.jsonQuoted):\($0.value.jsonQuoted)" }
            members.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var json = Array("{\(members.joined(separator: ","))}".utf8)
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + data.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        return out + json + data
    }
}
