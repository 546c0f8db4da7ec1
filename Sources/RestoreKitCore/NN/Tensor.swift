#if canImport(Glibc)
import Glibc
#endif

/// A float32 feature map of `height` × `width` pixels with `channels` values each,
/// stored pixel-interleaved (HWC): the channels of one pixel are adjacent, pixels
/// follow row by row.
///
/// Every layer of the engine reads and writes this one layout. It keeps the
/// values a SIMD register works on (several channels of one pixel) contiguous,
/// so Winograd transforms, im2col and element-wise layers vectorise across
/// channels, and the GEMM operands are plain row-major matrices
/// (pixels × channels). Images enter and leave through `init(planar:)` and
/// `planar()`, which convert from and to the planar (CHW) order of `Image`.
///
/// Tensors share storage when copied; a layer may write into an input only
/// when it holds the sole reference (`isUniquelyReferenced`).
public struct Tensor: @unchecked Sendable {
    /// Rows.
    public let height: Int
    /// Pixels per row.
    public let width: Int
    /// Values per pixel.
    public let channels: Int
    var storage: TensorStorage

    /// The most elements one tensor may hold (4 GiB of floats). Every network
    /// RestoreKit runs stays far below it, region by region; a model file whose
    /// layers would make more (an `Interp` scaling by thousands, say) is refused
    /// instead of exhausting the host's memory.
    static let maximumCount = 1 << 30

    /// An uninitialised tensor; throws `outOfMemory` when it would hold more than
    /// `maximumCount` elements or the allocation fails.
    init(height: Int, width: Int, channels: Int) throws {
        precondition(height > 0 && width > 0 && channels > 0, "tensor sides must be positive")
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (count, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, count <= Self.maximumCount else {
            throw RestoreError(.outOfMemory, "a \(height) × \(width) × \(channels) tensor is larger than the limit "
                + "of 4 GiB for one tensor")
        }
        self.height = height
        self.width = width
        self.channels = channels
        storage = try TensorStorage(count: count)
    }

    /// A tensor filled with `value`.
    init(height: Int, width: Int, channels: Int, repeating value: Float) throws {
        try self.init(height: height, width: width, channels: channels)
        storage.pointer.initialize(repeating: value, count: count)
    }

    /// The tensor holding the planes of `planes` (CHW, `channels` planes of
    /// `height` × `width`), converted to HWC.
    public init(planar planes: UnsafeBufferPointer<Float>, height: Int, width: Int, channels: Int) throws {
        precondition(planes.count == height * width * channels, "plane size mismatch")
        try self.init(height: height, width: width, channels: channels)
        let dst = pointer, src = planes.baseAddress!, plane = height * width
        for p in 0 ..< plane {
            for c in 0 ..< channels { dst[p * channels + c] = src[c * plane + p] }
        }
    }

    /// The values in planar (CHW) order.
    public func planar() -> [Float] {
        let plane = height * width
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            let dst = buffer.baseAddress!, src = pointer
            for p in 0 ..< plane {
                for c in 0 ..< channels { dst[c * plane + p] = src[p * channels + c] }
            }
            initialised = count
        }
    }

    /// The tensor holding `values` in storage (HWC) order: for a row of tokens,
    /// tokens × channels.
    public init(interleaved values: [Float], height: Int, width: Int, channels: Int) throws {
        precondition(values.count == height * width * channels, "value count mismatch")
        try self.init(height: height, width: width, channels: channels)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// The values in storage (HWC) order: for a row of tokens, tokens × channels.
    public func interleaved() -> [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Number of values.
    public var count: Int { height * width * channels }

    /// The first value; the value of channel c at (x, y) is at
    /// `(y * width + x) * channels + c`.
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// The value of channel `c` at column `x`, row `y` (for tests and small loops).
    public subscript(x: Int, y: Int, c: Int) -> Float {
        get { storage.pointer[(y * width + x) * channels + c] }
        nonmutating set { storage.pointer[(y * width + x) * channels + c] = newValue }
    }

    /// Whether `other` has the same sides and channel count.
    func hasShape(of other: Tensor) -> Bool {
        height == other.height && width == other.width && channels == other.channels
    }

    /// True when no other tensor shares this one's storage, so it may be
    /// overwritten in place.
    mutating func isUniquelyReferenced() -> Bool {
        isKnownUniquelyReferenced(&storage)
    }

    /// "64×32×32"-style shape for messages (channels × height × width, as ncnn prints).
    public var shapeDescription: String { "\(channels)×\(height)×\(width)" }
}

/// The 64-byte aligned buffer behind a tensor, and what later readers derived
/// from its values.
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    private let lock = Lock()
    private var derivedValue: AnyObject?

    /// A value computed from this tensor's contents and kept for its later
    /// readers (a convolution's transformed input, which the next convolutions
    /// reading the same tensor reuse); freed with the tensor. Tensors are not
    /// written once other layers read them, so it stays valid.
    var derived: AnyObject? {
        get { lock.withLock { derivedValue } }
        set { lock.withLock { derivedValue = newValue } }
    }

    /// Floats at `pointer` (at least the tensor's count).
    private let capacity: Int
    /// Where the buffer goes back to when the tensor is freed.
    private let pool: TensorPool?

    /// Storage for `count` floats: a buffer of the current thread's
    /// `TensorPool` when it has one to fit, else a new one.
    init(count: Int) throws {
        let count = max(count, 1)
        pool = TensorPool.current
        guard let buffer = TensorPool.buffer(count, from: pool) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(count * 4 / 1_048_576) MiB for a tensor")
        }
        (pointer, capacity) = buffer
    }

    deinit {
        TensorPool.recycle(pointer, capacity: capacity, to: pool)
    }
}

/// `count` floats, 64-byte aligned (free with `free`); nil when out of memory.
/// Buffers of several MiB are aligned to 2 MiB and marked for transparent huge
/// pages: the Winograd transforms and GEMM operands stride across them, and
/// with 4 KiB pages most of those accesses would also miss the TLB.
func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float>? {
    let bytes = count * MemoryLayout<Float>.stride, huge = 1 << 21
    let large = bytes >= 2 * huge
    var raw: UnsafeMutableRawPointer?
    guard posix_memalign(&raw, large ? huge : 64, bytes) == 0, let raw else { return nil }
    if large { _ = madvise(raw, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE) }
    return raw.bindMemory(to: Float.self, capacity: count)
}
