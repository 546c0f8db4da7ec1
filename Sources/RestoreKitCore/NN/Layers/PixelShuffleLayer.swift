/// ncnn `PixelShuffle`: rearranges C·r² channels into C channels of r × r
/// times the pixels (parameter 0 = r). Mode 0 (parameter 1) is PyTorch's
/// `pixel_shuffle` (channel p·r² + i·r + j lands at sub-position i, j); mode 1
/// is depth-to-space in DCR order (channel (i·r + j)·C + p).
struct PixelShuffleLayer: Layer {
    private let factor: Int
    private let mode: Int

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        factor = params.int(0, 1)
        mode = params.int(1, 0)
        guard factor >= 1, factor <= 64 else { throw RestoreError(.model, "PixelShuffle factor \(factor) is out of range") }
        guard mode == 0 || mode == 1 else { throw RestoreError(.model, "PixelShuffle mode \(mode) is not 0 or 1") }
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0], r = factor
        guard x.channels % (r * r) == 0 else {
            throw shapeError("PixelShuffle by \(r) needs a multiple of \(r * r) channels, not \(x.channels)")
        }
        let c = x.channels / (r * r)
        let out = try Tensor(height: x.height * r, width: x.width * r, channels: c)
        let mode = mode
        WorkSplit.forEachRange(x.height, threads: context.threads, minimumChunk: 4) { rows in
            for y in rows {
                for i in 0 ..< r {
                    let dst = out.pointer + (y * r + i) * out.width * c
                    for xx in 0 ..< x.width {
                        let src = x.pointer + (y * x.width + xx) * x.channels
                        for j in 0 ..< r {
                            let o = dst + (xx * r + j) * c
                            for p in 0 ..< c {
                                o[p] = src[mode == 0 ? p * r * r + i * r + j : (i * r + j) * c + p]
                            }
                        }
                    }
                }
            }
        }
        return [out]
    }
}
