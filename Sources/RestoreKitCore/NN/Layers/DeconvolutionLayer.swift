/// ncnn `Deconvolution`: transposed convolution (parameters as
/// `Convolution`'s, plus 18/19 extra output columns/rows and 20/21 a fixed
/// output size for SAME padding; weights outputs × inputs × kh × kw).
///
/// Every input pixel scatters kernel × its value into the (stride-spaced)
/// output; the result is then cut by the padding. Computed as one sgemm per
/// band of output rows — input pixels × (taps · outputs) — followed by a
/// gather that sums, for each output pixel, the taps that land on it, so
/// bands never write the same memory.
struct DeconvolutionLayer: Layer {
    private let geometry: ConvolutionGeometry
    private let outputChannels: Int
    private let inputChannels: Int
    private let extraRight: Int
    private let extraBottom: Int
    private let fixedWidth: Int
    private let fixedHeight: Int
    private let bias: [Float]?
    private let activation: Activation
    /// inputs × (taps · outputs), row-major.
    private let weights: [Float]

    init(params: ParamDict, weights reader: inout ModelBinReader) throws {
        geometry = try ConvolutionGeometry(params: params)
        outputChannels = params.int(0, 0)
        extraRight = params.int(18, 0)
        extraBottom = params.int(19, extraRight)
        fixedWidth = params.int(20, 0)
        fixedHeight = params.int(21, fixedWidth)
        let weightCount = params.int(6, 0)
        guard params.int(28, 0) == 0 else { throw RestoreError(.model, "dynamic deconvolution weights are not supported") }
        guard outputChannels > 0, weightCount > 0, weightCount % (outputChannels * geometry.taps) == 0,
              (0 ... 4096).contains(extraRight), (0 ... 4096).contains(extraBottom) else {
            throw RestoreError(.model, "weight count \(weightCount) is not a multiple of \(outputChannels) outputs × \(geometry.taps) taps")
        }
        inputChannels = weightCount / (outputChannels * geometry.taps)
        activation = try Activation(params: params)
        let w = try reader.loadTagged(weightCount)
        bias = params.int(5, 0) != 0 ? try reader.loadRaw(outputChannels) : nil
        let taps = geometry.taps, n = taps * outputChannels
        var reordered = [Float](repeating: 0, count: w.count)
        for o in 0 ..< outputChannels {
            for i in 0 ..< inputChannels {
                for t in 0 ..< taps { reordered[i * n + t * outputChannels + o] = w[(o * inputChannels + i) * taps + t] }
            }
        }
        weights = reordered
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    /// The full (uncut) output size and the cut (top, left, height, width).
    private func outputBox(height: Int, width: Int) -> (top: Int, left: Int, height: Int, width: Int) {
        let g = geometry
        let fullW = (width - 1) * g.strideW + g.kernelExtentW + extraRight
        let fullH = (height - 1) * g.strideH + g.kernelExtentH + extraBottom
        if g.padLeft >= 0 {
            return (g.padTop, g.padLeft, fullH - g.padTop - g.padBottom, fullW - g.padLeft - g.padRight)
        }
        guard fixedWidth > 0, fixedHeight > 0 else { return (0, 0, fullH, fullW) }
        let wcut = fullW - fixedWidth, hcut = fullH - fixedHeight
        return g.padLeft == -233 ? (hcut / 2, wcut / 2, fixedHeight, fixedWidth)
                                 : (hcut - hcut / 2, wcut - wcut / 2, fixedHeight, fixedWidth)
    }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0], g = geometry
        guard x.channels == inputChannels else {
            throw shapeError("input \(x.shapeDescription) does not match weights for \(inputChannels) channels")
        }
        let box = outputBox(height: x.height, width: x.width)
        guard box.height > 0, box.width > 0, box.top >= 0, box.left >= 0 else {
            throw shapeError("padding leaves no output for a \(x.shapeDescription) input")
        }
        let output = try Tensor(height: box.height, width: box.width, channels: outputChannels)
        let n = g.taps * outputChannels
        // Output rows per band, so the band's input rows × taps × outputs stay near 2 MiB.
        let inputRows = (1 << 19) / max(1, x.width * n) - g.kernelExtentH / g.strideH - 2
        let bandRows = max(1, inputRows * g.strideH)
        let bands = (box.height + bandRows - 1) / bandRows
        let maxInputRows = (bandRows + g.kernelExtentH) / g.strideH + 2
        try context.workspace.reserve(.output, count: maxInputRows * x.width * n)
        let oc = outputChannels
        let fill = bias ?? [Float](repeating: 0, count: oc)
        // The taps landing on each output column (kernel column, input column), the same for every row,
        // so the gather below does no division per pixel.
        var columnTaps: [(kx: Int, ix: Int)] = [], columnStart = [0]
        for ox in 0 ..< box.width {
            for kx in 0 ..< g.kernelW {
                let tx = ox + box.left - kx * g.dilationW
                if tx >= 0, tx % g.strideW == 0, tx / g.strideW < x.width { columnTaps.append((kx, tx / g.strideW)) }
            }
            columnStart.append(columnTaps.count)
        }
        weights.withUnsafeBufferPointer { weights in
            WorkSplit.forEachBlock(bands, threads: context.threads) { band, worker in
                let oy0 = band * bandRows, oy1 = min(box.height, oy0 + bandRows)
                let fy0 = oy0 + box.top, fy1 = oy1 + box.top
                let iy0 = max(0, Self.ceilDivide(fy0 - (g.kernelExtentH - 1), g.strideH))
                let iy1 = min(x.height, (fy1 - 1) / g.strideH + 1)
                let columns = context.workspace.pointer(.output, worker: worker)
                if iy1 > iy0 {
                    BLAS.sgemm(m: (iy1 - iy0) * x.width, n: n, k: inputChannels,
                               a: x.pointer + iy0 * x.width * inputChannels, lda: inputChannels,
                               b: weights.baseAddress!, ldb: n, c: columns, ldc: n)
                }
                for oy in oy0 ..< oy1 {
                    let fy = oy + box.top
                    // This row's taps: (kernel row, offset of the input row in `columns`).
                    var rowTaps: [(ky: Int, offset: Int)] = []
                    for ky in 0 ..< g.kernelH {
                        let ty = fy - ky * g.dilationH
                        guard ty >= 0, ty % g.strideH == 0, ty / g.strideH >= iy0, ty / g.strideH < iy1 else { continue }
                        rowTaps.append((ky, (ty / g.strideH - iy0) * x.width))
                    }
                    for ox in 0 ..< box.width {
                        let dst = output.pointer + (oy * box.width + ox) * oc
                        for k in 0 ..< oc { dst[k] = fill[k] }
                        for (ky, offset) in rowTaps {
                            for (kx, ix) in columnTaps[columnStart[ox] ..< columnStart[ox + 1]] {
                                let src = columns + (offset + ix) * n + (ky * g.kernelW + kx) * oc
                                for k in 0 ..< oc { dst[k] += src[k] }
                            }
                        }
                    }
                    activation.apply(output.pointer + oy * box.width * oc, count: box.width * oc)
                }
            }
        }
        return [output]
    }

    private static func ceilDivide(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a + b - 1) / b : -((-a) / b)
    }

    func multiplyAdds(inputs: [Tensor]) -> Double {
        guard let x = inputs.first else { return 0 }
        return Double(x.height * x.width) * Double(inputChannels * outputChannels * geometry.taps)
    }
}
