#if canImport(Glibc)
import Glibc
#endif

/// ncnn `BinaryOp`: an element-wise operation on two blobs, or on one blob
/// and the scalar parameter 2 (`with_scalar`, parameter 1).
///
/// Broadcasting: each side (channels, rows, columns) of the two inputs must
/// be equal or 1 in one of them; a side of 1 is repeated (numpy's rule on the
/// three axes). Operations (parameter 0): 0 add, 1 sub, 2 mul, 3 div, 4 max,
/// 5 min, 6 pow, 7 rsub (b − a), 8 rdiv (b / a), 9 rpow, 10 atan2, 11 ratan2.
struct BinaryOpLayer: Layer {
    enum Operation: Int {
        case add, sub, mul, div, max, min, pow, rsub, rdiv, rpow, atan2, ratan2

        @inline(__always)
        func callAsFunction(_ a: Float, _ b: Float) -> Float {
            switch self {
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .max: return Swift.max(a, b)
            case .min: return Swift.min(a, b)
            case .pow: return powf(a, b)
            case .rsub: return b - a
            case .rdiv: return b / a
            case .rpow: return powf(b, a)
            case .atan2: return atan2f(a, b)
            case .ratan2: return atan2f(b, a)
            }
        }
    }

    private let operation: Operation
    private let scalar: Float?

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        guard let op = Operation(rawValue: params.int(0, 0)) else {
            throw RestoreError(.model, "BinaryOp operation \(params.int(0, 0)) is not one of 0–11")
        }
        operation = op
        scalar = params.int(1, 0) != 0 ? params.float(2, 0) : nil
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) {
        scalar == nil ? (2 ... 2, 1 ... 1) : (1 ... 1, 1 ... 1)
    }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let op = operation
        let inPlace = inputs[0].isUniquelyReferenced()
        if let b = scalar {
            let a = inputs[0]
            let out = inPlace ? a : try Tensor(height: a.height, width: a.width, channels: a.channels)
            WorkSplit.forEachRange(a.count, threads: context.threads) { range in
                for i in range { out.pointer[i] = op(a.pointer[i], b) }
            }
            return [out]
        }
        let a = inputs[0], b = inputs[1]
        func side(_ x: Int, _ y: Int) -> Int? { x == y || y == 1 ? x : x == 1 ? y : nil }
        guard let h = side(a.height, b.height), let w = side(a.width, b.width), let c = side(a.channels, b.channels) else {
            throw shapeError("BinaryOp cannot broadcast \(a.shapeDescription) with \(b.shapeDescription)")
        }
        let out: Tensor
        if a.hasShape(of: b) {
            out = inPlace ? a : try Tensor(height: h, width: w, channels: c)
            WorkSplit.forEachRange(a.count, threads: context.threads) { range in
                for i in range { out.pointer[i] = op(a.pointer[i], b.pointer[i]) }
            }
            return [out]
        }
        out = try Tensor(height: h, width: w, channels: c)
        WorkSplit.forEachRange(h, threads: context.threads, minimumChunk: 8) { rows in
            for y in rows {
                let ya = a.height == 1 ? 0 : y, yb = b.height == 1 ? 0 : y
                for x in 0 ..< w {
                    let xa = a.width == 1 ? 0 : x, xb = b.width == 1 ? 0 : x
                    let pa = a.pointer + (ya * a.width + xa) * a.channels
                    let pb = b.pointer + (yb * b.width + xb) * b.channels
                    let po = out.pointer + (y * w + x) * c
                    for k in 0 ..< c {
                        po[k] = op(pa[a.channels == 1 ? 0 : k], pb[b.channels == 1 ? 0 : k])
                    }
                }
            }
        }
        return [out]
    }
}
