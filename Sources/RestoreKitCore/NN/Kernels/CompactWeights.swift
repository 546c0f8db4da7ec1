#if canImport(Glibc)
import Glibc
#endif

/// A kernel's weights as the model file stores them: float32, or 16-bit
/// (fp16 or bfloat16) in half the memory, widened to float32 when a kernel
/// reads them. Large diffusion models keep their fp16 weights this way.
struct CompactWeights: Sendable {
    enum Storage: @unchecked Sendable {
        case float32([Float])
        case float16([UInt16])
        case bfloat16([UInt16])
        /// fp16 or bf16 elements read in place from a mapped model file, which
        /// `owner` keeps mapped: no copy, and the kernel may page them out and in.
        case mapped(UnsafePointer<UInt16>, count: Int, bfloat: Bool, owner: AnyObject)
    }

    let storage: Storage

    /// float32 values.
    init(_ values: [Float]) {
        storage = .float32(values)
    }

    /// `values` kept in binary16 when `halfPrecision` and every value is exactly
    /// representable there (they came from an fp16 file), else in float32.
    init(_ values: [Float], halfPrecision: Bool) {
        guard halfPrecision else {
            storage = .float32(values)
            return
        }
        var halves = [UInt16](repeating: 0, count: values.count)
        for i in values.indices {
            guard let h = HalfPrecision.float16(exactly: values[i]) else {
                storage = .float32(values)
                return
            }
            halves[i] = h
        }
        storage = .float16(halves)
    }

    init(storage: Storage) {
        self.storage = storage
    }

    var count: Int {
        switch storage {
        case .float32(let v): v.count
        case .float16(let h), .bfloat16(let h): h.count
        case .mapped(_, let count, _, _): count
        }
    }


    /// Convolution weights (per group: outputs × inputs × taps) reordered for
    /// im2col's GEMM (per group: taps × inputs × outputs).
    func packedForGEMM(groups: Int, outputs: Int, inputs: Int, taps: Int) -> CompactWeights {
        func pack<T>(_ v: [T]) -> [T] {
            guard let first = v.first else { return v }
            var packed = [T](repeating: first, count: v.count)
            packed.withUnsafeMutableBufferPointer { dst in
                v.withUnsafeBufferPointer { src in
                    for g in 0 ..< groups {
                        let base = g * outputs * inputs * taps
                        for o in 0 ..< outputs {
                            for i in 0 ..< inputs {
                                let from = base + (o * inputs + i) * taps
                                for t in 0 ..< taps { dst[base + (t * inputs + i) * outputs + o] = src[from + t] }
                            }
                        }
                    }
                }
            }
            return packed
        }
        switch storage {
        case .float32(let v): return CompactWeights(storage: .float32(pack(v)))
        case .float16(let h): return CompactWeights(storage: .float16(pack(h)))
        case .bfloat16(let h): return CompactWeights(storage: .bfloat16(pack(h)))
        case .mapped(let p, let count, let bfloat, let owner):
            let halves = withExtendedLifetime(owner) { pack(Array(UnsafeBufferPointer(start: p, count: count))) }
            // The file's pages for these weights are not read again: let the kernel drop them.
            releasePages(UnsafeRawPointer(p), bytes: 2 * count)
            return CompactWeights(storage: bfloat ? .bfloat16(halves) : .float16(halves))
        }
    }

    /// Calls `body` with the weights as float32: in place, or widened into a
    /// temporary buffer (by up to `threads` threads).
    func withFloats<R>(threads: Int = 1, _ body: (UnsafePointer<Float>) throws -> R) throws -> R {
        switch storage {
        case .float32(let values):
            return try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
        case .float16(let halves):
            return try halves.withUnsafeBufferPointer { try Self.widened($0.baseAddress!, halves.count, false, threads, body) }
        case .bfloat16(let halves):
            return try halves.withUnsafeBufferPointer { try Self.widened($0.baseAddress!, halves.count, true, threads, body) }
        case .mapped(let p, let count, let bfloat, let owner):
            return try withExtendedLifetime(owner) { try Self.widened(p, count, bfloat, threads, body) }
        }
    }

    /// Drops the whole pages inside `bytes` at `start` of a read-only file mapping
    /// from memory (they would be read again from the file if touched).
    private func releasePages(_ start: UnsafeRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let last = (Int(bitPattern: start) + bytes) / page * page
        guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, last - first, MADV_DONTNEED)
    }

    /// Calls `body` with `count` 16-bit values at `h` widened into a pooled buffer.
    private static func widened<R>(_ h: UnsafePointer<UInt16>, _ count: Int, _ bfloat: Bool, _ threads: Int,
                                   _ body: (UnsafePointer<Float>) throws -> R) throws -> R {
        let pool = TensorPool.current
        guard let (buffer, capacity) = TensorPool.buffer(count, from: pool) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(count / 262_144) MiB to widen weights")
        }
        defer { TensorPool.recycle(buffer, capacity: capacity, to: pool) }
        WorkSplit.forEachRange(count, threads: threads, minimumChunk: 1 << 16) { range in
            if bfloat {
                HalfPrecision.widen(bfloat16: h + range.lowerBound, to: buffer + range.lowerBound, count: range.count)
            } else {
                HalfPrecision.widen(float16: h + range.lowerBound, to: buffer + range.lowerBound, count: range.count)
            }
        }
        return try body(buffer)
    }
}
