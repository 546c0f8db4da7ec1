/// ncnn `Padding`: adds rows, columns and channels around a blob.
///
/// Parameters: 0 top, 1 bottom, 2 left, 3 right, 7 front and 8 behind
/// (channels); 4 the type (0 constant, 1 replicate, 2 reflect without
/// repeating the edge); 5 the constant; 6 the count of per-channel constants
/// stored in the weights (raw float32), which then replace parameter 5.
struct PaddingLayer: Layer {
    enum Kind: Int { case constant = 0, replicate = 1, reflect = 2 }

    private let top, bottom, left, right, front, behind: Int
    private let kind: Kind
    private let value: Float
    private let channelValues: [Float]

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        (top, bottom, left, right) = (params.int(0, 0), params.int(1, 0), params.int(2, 0), params.int(3, 0))
        (front, behind) = (params.int(7, 0), params.int(8, 0))
        guard let kind = Kind(rawValue: params.int(4, 0)) else {
            throw RestoreError(.model, "Padding type \(params.int(4, 0)) is not 0 (constant), 1 (replicate) or 2 (reflect)")
        }
        guard [top, bottom, left, right, front, behind].allSatisfy({ (0 ... 1 << 16).contains($0) }) else {
            throw RestoreError(.model, "Padding amounts must be between 0 and 65536")
        }
        self.kind = kind
        value = params.float(5, 0)
        let perChannel = params.int(6, 0)
        guard perChannel >= 0 else { throw RestoreError(.model, "Padding per-channel count \(perChannel) is negative") }
        channelValues = perChannel > 0 ? try weights.loadRaw(perChannel) : []
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0]
        let oh = x.height + top + bottom, ow = x.width + left + right, oc = x.channels + front + behind
        guard channelValues.isEmpty || channelValues.count >= oc else {
            throw shapeError("Padding has \(channelValues.count) per-channel values for \(oc) channels")
        }
        if kind == .reflect, top >= x.height || bottom >= x.height || left >= x.width || right >= x.width
            || front >= x.channels || behind >= x.channels {
            throw shapeError("reflect padding by more than the blob's side (\(x.shapeDescription))")
        }
        let out = try Tensor(height: oh, width: ow, channels: oc)
        func source(_ i: Int, _ n: Int) -> Int? {
            switch kind {
            case .constant: return (0 ..< n).contains(i) ? i : nil
            case .replicate: return min(max(i, 0), n - 1)
            case .reflect:
                let r = abs(i)
                return (n - 1) - abs(r - (n - 1))
            }
        }
        let rows = (0 ..< oh).map { source($0 - top, x.height) }
        let columns = (0 ..< ow).map { source($0 - left, x.width) }
        let channels = (0 ..< oc).map { source($0 - front, x.channels) }
        let fill = (0 ..< oc).map { channelValues.isEmpty ? value : channelValues[$0] }
        WorkSplit.forEachRange(oh, threads: context.threads, minimumChunk: 4) { range in
            for y in range {
                for i in 0 ..< ow {
                    let dst = out.pointer + (y * ow + i) * oc
                    guard let sy = rows[y], let sx = columns[i] else {
                        for k in 0 ..< oc { dst[k] = fill[k] }
                        continue
                    }
                    let src = x.pointer + (sy * x.width + sx) * x.channels
                    for k in 0 ..< oc { dst[k] = channels[k].map { src[$0] } ?? fill[k] }
                }
            }
        }
        return [out]
    }
}
