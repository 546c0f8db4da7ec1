/// ncnn `Crop` (also its slicing form): cuts a box out of a blob.
///
/// Three ways to give the box, as in ncnn, for blobs of channels × rows ×
/// columns:
/// - a second input: its rows, columns and channels are the size, parameters
///   0, 1, 2 (w, h, c offsets) the corner;
/// - parameters 9, 10, 11 (starts, ends, axes arrays; axis 0 channels, 1 rows,
///   2 columns; negative values count from the end, −233 means the whole axis);
/// - offsets 0, 1, 2, sizes 3, 4, 5 (w, h, c; −233 for "the rest") and
///   far-side offsets 6, 7, 8.
struct CropLayer: Layer {
    private let offsets: (w: Int, h: Int, c: Int)
    private let sizes: (w: Int, h: Int, c: Int)
    private let farOffsets: (w: Int, h: Int, c: Int)
    private let slice: (starts: [Int], ends: [Int], axes: [Int])?

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        offsets = (params.int(0, 0), params.int(1, 0), params.int(2, 0))
        sizes = (params.int(3, 0), params.int(4, 0), params.int(5, 0))
        farOffsets = (params.int(6, 0), params.int(7, 0), params.int(8, 0))
        let starts = params.array(9).map { Int($0) }, ends = params.array(10).map { Int($0) }
        let axes = params.array(11).map { Int($0) }
        if !starts.isEmpty && !ends.isEmpty {
            guard starts.count == ends.count, axes.isEmpty || axes.count == starts.count, starts.count <= 3 else {
                throw RestoreError(.model, "Crop starts, ends and axes must have the same length (at most 3)")
            }
            slice = (starts, ends, axes)
        } else {
            slice = nil
        }
    }

    /// With no size, far offsets or slice, ncnn takes the size from a second input.
    private var usesReference: Bool {
        slice == nil && sizes == (0, 0, 0) && farOffsets == (0, 0, 0)
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) {
        usesReference ? (2 ... 2, 1 ... 1) : (1 ... 1, 1 ... 1)
    }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0]
        var corner = (w: offsets.w, h: offsets.h, c: offsets.c)
        var size: (w: Int, h: Int, c: Int)
        if usesReference {
            let ref = inputs[1]
            size = (ref.width, ref.height, ref.channels)
        } else if let slice {
            size = (x.width, x.height, x.channels)
            corner = (0, 0, 0)
            let extents = [x.channels, x.height, x.width]
            for i in 0 ..< slice.starts.count {
                var axis = slice.axes.isEmpty ? i : slice.axes[i]
                if axis < 0 { axis += 3 }
                guard (0 ... 2).contains(axis) else { throw shapeError("Crop axis \(axis) is out of range") }
                let n = extents[axis]
                var start = slice.starts[i], end = slice.ends[i]
                if start == -233 { start = 0 }
                if end == -233 { end = n }
                let first = start >= 0 ? start : n + start
                let count = min(n, end > 0 ? end : n + end) - first
                switch axis {
                case 0: (corner.c, size.c) = (first, count)
                case 1: (corner.h, size.h) = (first, count)
                default: (corner.w, size.w) = (first, count)
                }
            }
        } else {
            func extent(_ n: Int, _ offset: Int, _ far: Int, _ wanted: Int) -> Int {
                wanted == -233 ? n - offset - far : min(wanted, n - offset - far)
            }
            size = (extent(x.width, offsets.w, farOffsets.w, sizes.w),
                    extent(x.height, offsets.h, farOffsets.h, sizes.h),
                    extent(x.channels, offsets.c, farOffsets.c, sizes.c))
        }
        guard corner.w >= 0, corner.h >= 0, corner.c >= 0, size.w > 0, size.h > 0, size.c > 0,
              corner.w + size.w <= x.width, corner.h + size.h <= x.height, corner.c + size.c <= x.channels else {
            throw shapeError("Crop of \(size.c)×\(size.h)×\(size.w) at (\(corner.c), \(corner.h), \(corner.w)) does not fit in \(x.shapeDescription)")
        }
        if size == (x.width, x.height, x.channels) { return [x] }
        let out = try Tensor(height: size.h, width: size.w, channels: size.c)
        for y in 0 ..< size.h {
            for i in 0 ..< size.w {
                let src = x.pointer + ((corner.h + y) * x.width + corner.w + i) * x.channels + corner.c
                (out.pointer + (y * size.w + i) * size.c).update(from: src, count: size.c)
            }
        }
        return [out]
    }
}
