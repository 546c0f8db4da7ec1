import RestoreKitCore

/// A float32 array with its shape, read from and written to NumPy `.npy` files
/// (version 1, little-endian `<f4`, C order): what `rkbench sd` exchanges with the
/// reference scripts, in diffusers' NCHW layout.
struct NPYArray {
    var shape: [Int]
    var values: [Float]

    init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the values")
        self.shape = shape
        self.values = values
    }

    /// Reads a `.npy` file of float32 (`<f4`) or int64 (`<i8`, converted) values.
    static func read(_ path: String) throws -> NPYArray {
        let bytes = try FileIO.read(path)
        func fail(_ what: String) -> RestoreError { RestoreError(.invalidArgument, "'\(path)': \(what)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1 ..< 6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file")
        }
        let (headerLength, headerStart): (Int, Int) = bytes[6] == 1
            ? (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
            : (bytes.count >= 12 ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24 : -1, 12)
        guard headerLength >= 0, headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
        let header = String(decoding: bytes[headerStart ..< headerStart + headerLength], as: UTF8.self)
        let elementSize: Int
        if header.contains("'descr': '<f4'") {
            elementSize = 4
        } else if header.contains("'descr': '<i8'") {
            elementSize = 8
        } else {
            throw fail("only float32 ('<f4') and int64 ('<i8') arrays are read")
        }
        guard header.contains("'fortran_order': False"),
              let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")"), open < close else {
            throw fail("expected a C-order array with a shape")
        }
        let shape = header[header.index(after: open) ..< close].split(separator: ",")
            .map { $0.trimmingSpaces }.filter { !$0.isEmpty }.compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let data = headerStart + headerLength
        guard bytes.count - data == count * elementSize else {
            throw fail("holds \(bytes.count - data) data bytes, not \(count * elementSize) for shape \(shape)")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0 ..< count {
            var bits: UInt64 = 0
            for b in 0 ..< elementSize { bits |= UInt64(bytes[data + i * elementSize + b]) << (8 * b) }
            values[i] = elementSize == 4 ? Float(bitPattern: UInt32(bits)) : Float(Int64(bitPattern: bits))
        }
        return NPYArray(shape: shape, values: values)
    }

    /// The `.npy` bytes of the array as float32.
    func bytes() -> [UInt8] {
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        // Magic (6) + version (2) + length (2) + header, padded to a multiple of 64, ending in '\n'.
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += Array(header.utf8)
        out.reserveCapacity(out.count + values.count * 4)
        for value in values {
            let bits = value.bitPattern
            out += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return out
    }

    /// Writes the array to `path` atomically.
    func write(to path: String) throws {
        try FileIO.writeAtomically(bytes(), to: path)
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
