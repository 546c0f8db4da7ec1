/// One tensor's elements inside a memory-mapped weight file, decoded only when
/// read: where element 0 lies, the element type, the shape and the strides.
///
/// Views — a range of rows, a reshape — are new values over the same bytes, so a
/// checkpoint of gigabytes is never copied up front; the kernel pages in what is
/// read. Every element a view can reach is checked to lie inside the byte range
/// its file gave the tensor (its safetensors span, its PyTorch storage) when the
/// view is made, so a read never leaves the mapping.
public struct StoredTensor: Sendable {
    /// The element type.
    public let dtype: SafeTensorsDType
    /// The shape (empty for a scalar).
    public let shape: [Int]
    /// What the tensor is in its file, for messages: its name there, with the
    /// view taken of it ("in_proj_weight rows 0..<1024").
    public let origin: String
    private let file: MappedFile
    /// Byte offset of element 0 in the file.
    private let start: Int
    /// Elements to step over per index of each dimension.
    private let strides: [Int]

    /// The number of elements.
    public let count: Int

    /// The tensor of `shape` and `strides` (in elements) whose element 0 is
    /// `offset` elements into the bytes `region` of `file`; nil when a shape or
    /// stride is negative, a product overflows, an element lies outside `region`
    /// or there are more elements than `region` holds.
    init?(file: MappedFile, region: Range<Int>, offset: Int, dtype: SafeTensorsDType,
          shape: [Int], strides: [Int], origin: String) {
        guard shape.count == strides.count, offset >= 0, region.lowerBound >= 0,
              region.upperBound <= file.bytes.count, let count = Self.count(shape) else { return nil }
        // The last element reachable, in elements from element 0 (none when empty).
        var last = 0
        var empty = false
        for (size, stride) in zip(shape, strides) {
            guard size >= 0, stride >= 0 else { return nil }
            empty = empty || size == 0
            let (span, o1) = (size > 0 ? size - 1 : 0).multipliedReportingOverflow(by: stride)
            let (sum, o2) = last.addingReportingOverflow(span)
            guard !o1, !o2 else { return nil }
            last = sum
        }
        // No more elements than the region holds either: a view repeating
        // elements (stride 0) would otherwise let a small file ask for any amount of memory.
        let capacity = region.count / dtype.size
        guard count <= capacity, empty ? offset <= capacity : offset < capacity && last < capacity - offset else { return nil }
        self.file = file
        self.start = region.lowerBound + offset * dtype.size
        self.dtype = dtype
        self.shape = shape
        self.count = count
        self.strides = strides
        self.origin = origin
    }

    /// The strides of a row-major tensor of `shape` (whose element count does not overflow).
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in shape.indices.reversed() {
            strides[d] = step
            step &*= shape[d]
        }
        return strides
    }

    /// The number of elements of `shape`; nil when a size is negative or the product overflows.
    static func count(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Whether the elements are laid out row-major without gaps (a dimension
    /// of size 1 may carry any stride).
    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() {
            if size != 1, stride != expected { return false }
            expected *= size
        }
        return true
    }

    /// Rows `rows` of the first dimension, e.g. the query third of a fused
    /// query-key-value projection; nil when `rows` is not within the first dimension.
    public func rows(_ rows: Range<Int>) -> StoredTensor? {
        guard let first = shape.first, rows.lowerBound >= 0, rows.upperBound <= first else { return nil }
        return StoredTensor(viewOf: self, start: start + rows.lowerBound * strides[0] * dtype.size,
                            shape: [rows.count] + shape.dropFirst(), strides: strides,
                            origin: "\(origin) rows \(rows.lowerBound)..<\(rows.upperBound)")
    }

    /// The same elements in row-major order with shape `newShape`, e.g. a 1×1
    /// convolution's `[c, c, 1, 1]` kernel as a linear layer's `[c, c]`; nil when
    /// the counts differ or the tensor is not contiguous.
    public func reshaped(_ newShape: [Int]) -> StoredTensor? {
        guard Self.count(newShape) == count, isContiguous else { return nil }
        return StoredTensor(viewOf: self, start: start, shape: newShape, strides: Self.rowMajorStrides(newShape),
                            origin: "\(origin) reshaped from \(shape)")
    }

    private init(viewOf base: StoredTensor, start: Int, shape: [Int], strides: [Int], origin: String) {
        file = base.file
        dtype = base.dtype
        count = shape.reduce(1, *) // at most the base's count, which did not overflow
        self.start = start
        self.shape = shape
        self.strides = strides
        self.origin = origin
    }

    /// The elements of a contiguous F16 or BF16 tensor where they lie in the mapped
    /// file (2-byte aligned), with the object that keeps the mapping alive; nil
    /// for other tensors. Lets 16-bit weights be used without a copy.
    func mappedHalves() -> (pointer: UnsafePointer<UInt16>, owner: AnyObject)? {
        guard dtype == .f16 || dtype == .bf16, isContiguous, count > 0, let base = file.bytes.baseAddress,
              (Int(bitPattern: base) + start) % 2 == 0 else { return nil }
        return ((base + start).assumingMemoryBound(to: UInt16.self), file)
    }

    /// The elements as Float in row-major order (F32, F16 and BF16 only).
    public func floats() throws -> [Float] {
        guard dtype.isReadableAsFloat else {
            throw RestoreError(.model, "'\(file.path)': tensor '\(origin)' is \(dtype.rawValue); only F32, F16 and BF16 can be read as floats")
        }
        let count = count
        guard count > 0, let base = file.bytes.baseAddress else { return [] }
        let first = base + start
        if isContiguous {
            return [Float](unsafeUninitializedCapacity: count) { out, initialised in
                for i in 0 ..< count { out[i] = dtype.float(first, i) }
                initialised = count
            }
        }
        // Walk the index odometer-fashion, the last dimension fastest.
        var index = [Int](repeating: 0, count: shape.count)
        var element = 0
        return [Float](unsafeUninitializedCapacity: count) { out, initialised in
            for i in 0 ..< count {
                out[i] = dtype.float(first, element)
                var d = shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    element += strides[d]
                    if index[d] < shape[d] { break }
                    element -= strides[d] * shape[d]
                    index[d] = 0
                    d -= 1
                }
            }
            initialised = count
        }
    }
}
