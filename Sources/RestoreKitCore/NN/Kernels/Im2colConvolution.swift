/// Convolution as im2col + sgemm, for any kernel, stride, dilation, padding
/// and channel groups: the general path (3×3 stride-1 convolutions use
/// `WinogradConvolution`).
///
/// The output is produced in bands of rows, one band per task: the band's
/// im2col matrix (pixels × taps·channels, channels innermost so each tap
/// copies a pixel's channels at once) lives in the worker's workspace, and one
/// single-threaded sgemm per group multiplies it with the weights
/// (taps·channels × outputs) straight into the output rows; a small output is
/// split by output channels instead. 1×1 stride-1 unpadded convolutions skip
/// the copy and multiply the input itself.
struct Im2colConvolution: Sendable {
    let geometry: ConvolutionGeometry
    let inputChannels: Int
    let outputChannels: Int
    let groups: Int
    /// Per group: (taps · inputChannels/groups) × (outputChannels/groups), row-major,
    /// in the precision the model gives.
    let weights: CompactWeights

    /// Rearranges ncnn's weights (outputs × inputs/groups × kh × kw) for the GEMM.
    init(geometry: ConvolutionGeometry, inputChannels: Int, outputChannels: Int, groups: Int, ncnnWeights: [Float]) {
        self.init(geometry: geometry, inputChannels: inputChannels, outputChannels: outputChannels, groups: groups,
                  raw: CompactWeights(ncnnWeights))
    }

    /// The same from weights kept in the model file's precision.
    init(geometry: ConvolutionGeometry, inputChannels: Int, outputChannels: Int, groups: Int, raw: CompactWeights) {
        self.geometry = geometry
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.groups = groups
        let cin = inputChannels / groups, cout = outputChannels / groups, taps = geometry.taps
        weights = raw.packedForGEMM(groups: groups, outputs: cout, inputs: cin, taps: taps)
    }

    /// Output pixels a sgemm call should have at least: each call packs the
    /// whole weight matrix, so fewer pixels spend more time packing than multiplying.
    private static let minimumPixels = 512
    /// The most floats of im2col columns built at once for a small output.
    private static let wholeColumnsLimit = 1 << 23

    /// Band height (output rows): one im2col buffer near 2 MiB, or the rows of
    /// `minimumPixels` if that is more, as long as each of the partition's
    /// workers gets a band.
    private func bandRows(outputHeight: Int, outputWidth: Int) -> Int {
        let workers = WorkSplit.partitionWorkers
        let k = geometry.taps * inputChannels / groups
        let cached = (1 << 19) / max(1, outputWidth * k)
        let packed = (Self.minimumPixels + outputWidth - 1) / outputWidth
        return max(1, min(max(cached, packed), (outputHeight + workers - 1) / workers))
    }

    /// Fills `output` (already sized) from `sources` (their channels side by
    /// side: `inputChannels` in all); bias and activation are left to the caller.
    ///
    /// The output is split in bands of rows, each one sgemm call; an output too
    /// small to give every worker `minimumPixels` is instead split by output
    /// channels, over one im2col matrix of all its pixels, so that the weights
    /// are packed once rather than once per band.
    func run(_ sources: [ChannelSource], height: Int, width: Int, output: Tensor,
             pad: (top: Int, bottom: Int, left: Int, right: Int), context: ForwardContext) throws {
        let g = geometry, oh = output.height, ow = output.width, threads = context.threads
        let cin = inputChannels / groups, cout = outputChannels / groups, k = g.taps * cin
        let direct = g.taps == 1 && g.strideW == 1 && g.strideH == 1 && pad == (0, 0, 0, 0)
            && sources.count == 1 && groups == 1 && sources[0].count == sources[0].tensor.channels
        let workers = WorkSplit.partitionWorkers
        let byChannels = groups == 1 && oh * ow < workers * Self.minimumPixels
            && oh * ow * k <= Self.wholeColumnsLimit && cout >= 64 * workers
        if byChannels {
            try runByChannels(sources, height: height, width: width, output: output, pad: pad, direct: direct,
                              context: context)
            return
        }
        let rows = bandRows(outputHeight: oh, outputWidth: ow)
        let bands = (oh + rows - 1) / rows
        if !direct { try context.workspace.reserve(.input, count: rows * ow * k) }
        try weights.withFloats(threads: threads) { w in
            WorkSplit.forEachBlock(bands, threads: threads) { band, worker in
                let y0 = band * rows, y1 = min(oh, y0 + rows), pixels = (y1 - y0) * ow
                let out = output.pointer + y0 * ow * outputChannels
                if direct {
                    BLAS.sgemm(m: pixels, n: outputChannels, k: inputChannels,
                               a: sources[0].tensor.pointer + y0 * ow * inputChannels, lda: inputChannels,
                               b: w, ldb: outputChannels, c: out, ldc: outputChannels)
                    return
                }
                let columns = context.workspace.pointer(.input, worker: worker)
                for group in 0 ..< groups {
                    let groupSources = groups == 1 ? sources : Self.slice(sources, first: group * cin, count: cin)
                    fillColumns(columns, groupSources, rows: y0 ..< y1, outputWidth: ow,
                                height: height, width: width, pad: pad, k: k)
                    BLAS.sgemm(m: pixels, n: cout, k: k, a: columns, lda: k,
                               b: w + group * k * cout, ldb: cout, c: out + group * cout, ldc: outputChannels)
                }
            }
        }
    }

    /// `run` for a small output of one group: the im2col matrix of every pixel
    /// (filled by all workers, a band of rows each), then one sgemm per block of
    /// output channels.
    private func runByChannels(_ sources: [ChannelSource], height: Int, width: Int, output: Tensor,
                               pad: (top: Int, bottom: Int, left: Int, right: Int), direct: Bool,
                               context: ForwardContext) throws {
        let oh = output.height, ow = output.width, k = geometry.taps * inputChannels, threads = context.threads
        let columns: UnsafePointer<Float>
        if direct {
            columns = UnsafePointer(sources[0].tensor.pointer)
        } else {
            try context.workspace.reserve(.input, count: oh * ow * k, onlyFirst: true)
            let whole = context.workspace.pointer(.input, worker: 0)
            let rows = (oh + threads - 1) / threads
            WorkSplit.forEachBlock((oh + rows - 1) / rows, threads: threads) { band, _ in
                let y0 = band * rows, y1 = min(oh, y0 + rows)
                fillColumns(whole + y0 * ow * k, sources, rows: y0 ..< y1, outputWidth: ow,
                            height: height, width: width, pad: pad, k: k)
            }
            columns = UnsafePointer(whole)
        }
        let blocks = min(WorkSplit.partitionWorkers * 2, outputChannels / 64)
        let size = (outputChannels + blocks - 1) / blocks
        try weights.withFloats(threads: threads) { w in
            WorkSplit.forEachBlock(blocks, threads: threads) { block, _ in
                let j0 = block * size, j1 = min(outputChannels, j0 + size)
                guard j0 < j1 else { return }
                BLAS.sgemm(m: oh * ow, n: j1 - j0, k: k, a: columns, lda: k, b: w + j0, ldb: outputChannels,
                           c: output.pointer + j0, ldc: outputChannels)
            }
        }
    }

    /// The channels first..<first+count of a channel list.
    static func slice(_ sources: [ChannelSource], first: Int, count: Int) -> [ChannelSource] {
        var result: [ChannelSource] = [], offset = 0
        for s in sources {
            let lo = max(first, offset), hi = min(first + count, offset + s.count)
            if lo < hi { result.append(ChannelSource(tensor: s.tensor, first: s.first + lo - offset, count: hi - lo)) }
            offset += s.count
        }
        return result
    }

    /// im2col for output rows `rows`: row p of `columns` holds, tap by tap, the
    /// channels of the input pixel that tap reads for output pixel p.
    private func fillColumns(_ columns: UnsafeMutablePointer<Float>, _ sources: [ChannelSource], rows: Range<Int>,
                             outputWidth: Int, height: Int, width: Int,
                             pad: (top: Int, bottom: Int, left: Int, right: Int), k: Int) {
        let g = geometry
        var row = columns
        for oy in rows {
            for ox in 0 ..< outputWidth {
                var dst = row
                for ky in 0 ..< g.kernelH {
                    let iy = oy * g.strideH - pad.top + ky * g.dilationH
                    for kx in 0 ..< g.kernelW {
                        let ix = ox * g.strideW - pad.left + kx * g.dilationW
                        let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                        for s in sources {
                            if inside {
                                dst.update(from: s.pixel(ix, iy), count: s.count)
                            } else {
                                dst.update(repeating: g.padValue, count: s.count)
                            }
                            dst += s.count
                        }
                    }
                }
                row += k
            }
        }
    }
}
