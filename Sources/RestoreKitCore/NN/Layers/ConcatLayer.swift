/// ncnn `Concat`: joins its inputs along an axis (0 = channels, 1 = rows,
/// 2 = columns; negative counts from the end). The other sides must agree.
struct ConcatLayer: Layer {
    private let axis: Int

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        let raw = params.int(0, 0)
        axis = raw < 0 ? raw + 3 : raw
        guard (0 ... 2).contains(axis) else { throw RestoreError(.model, "Concat axis \(raw) is not one of -3…2") }
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... Int.max, 1 ... 1) }

    /// Whether this concatenation joins channels (what a convolution can fold in).
    var joinsChannels: Bool { axis == 0 }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let first = inputs[0]
        for t in inputs.dropFirst() {
            let agrees = switch axis {
            case 0: t.height == first.height && t.width == first.width
            case 1: t.width == first.width && t.channels == first.channels
            default: t.height == first.height && t.channels == first.channels
            }
            guard agrees else {
                throw shapeError("cannot concatenate \(first.shapeDescription) and \(t.shapeDescription) along axis \(axis)")
            }
        }
        if inputs.count == 1 { return [first] }
        switch axis {
        case 0: return [try Self.channels(inputs, threads: context.threads)]
        case 1:
            let out = try Tensor(height: inputs.reduce(0) { $0 + $1.height }, width: first.width, channels: first.channels)
            var offset = 0
            for t in inputs {
                (out.pointer + offset).update(from: t.pointer, count: t.count)
                offset += t.count
            }
            return [out]
        default:
            let out = try Tensor(height: first.height, width: inputs.reduce(0) { $0 + $1.width }, channels: first.channels)
            for y in 0 ..< first.height {
                var dst = out.pointer + y * out.width * out.channels
                for t in inputs {
                    let n = t.width * t.channels
                    dst.update(from: t.pointer + y * n, count: n)
                    dst += n
                }
            }
            return [out]
        }
    }

    /// Channel concatenation: each output pixel is the inputs' pixels side by side.
    static func channels(_ inputs: [Tensor], threads: Int) throws -> Tensor {
        let first = inputs[0]
        let total = inputs.reduce(0) { $0 + $1.channels }
        let out = try Tensor(height: first.height, width: first.width, channels: total)
        let pixels = first.height * first.width
        WorkSplit.forEachRange(pixels, threads: threads, minimumChunk: 4096) { range in
            var offset = 0
            for t in inputs {
                let c = t.channels
                var src = t.pointer + range.lowerBound * c, dst = out.pointer + range.lowerBound * total + offset
                for _ in range {
                    dst.update(from: src, count: c)
                    src += c
                    dst += total
                }
                offset += c
            }
        }
        return out
    }
}
