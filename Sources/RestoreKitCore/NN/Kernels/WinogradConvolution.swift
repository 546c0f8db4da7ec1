/// 3×3 stride-1 convolution by Winograd's minimal filtering F(m×m, 3×3),
/// with the per-position products batched through sgemm.
///
/// The output is cut into m × m tiles; tiles are processed in blocks, one
/// block per task, each in its worker's workspace:
/// 1. input transform: each tile's (m+2)² input patch (padded at the borders)
///    becomes (m+2)² transformed values per channel, stored as (m+2)²
///    matrices of tiles × input channels, laid out tile after tile (one input)
///    or position after position (several parts, kept transforms) — in the
///    block buffer, or in a `WinogradInputCache` on the input tensor when
///    later convolutions read it too (then they skip this step);
/// 2. (m+2)² single-threaded sgemms per input part multiply those by the
///    matching transformed-weight matrices (input × output channels, computed
///    once at load, or at each run for large models), summing over the parts;
/// 3. output transform back to m × m pixels, plus bias, the fused activation
///    and a folded residual sum, written straight into the HWC output.
/// A block's buffers (a few MiB) stay in cache between the three steps.
struct WinogradConvolution<Variant: WinogradVariant>: Sendable {
    let inputChannels: Int
    let outputChannels: Int
    /// Output channels rounded up to 8 (the transforms' vector width); the
    /// extra transformed weights are zero.
    let paddedOutputs: Int
    /// How the transformed weights, (m+2)² matrices of inputChannels ×
    /// paddedOutputs, are held.
    private enum Weights: Sendable {
        /// Transformed once at load: fastest, (m+2)²/9 times the raw size.
        case transformed([Float])
        /// The raw weights as im2col packs them (3 × 3 × inputs × outputs, shared
        /// with an `Im2colConvolution`), transformed at each run into a temporary
        /// buffer: for large models, whose transformed weights would not fit in
        /// memory; at the image sizes where Winograd pays, the transform costs
        /// about 1 % of the convolution.
        case onDemand(CompactWeights)
    }

    private let weights: Weights

    /// Transforms ncnn's weights (outputs × inputs × 3 × 3) once: U = G g Gᵀ
    /// per pair, in double precision.
    init(inputChannels: Int, outputChannels: Int, ncnnWeights: [Float]) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let paddedOutputs = (outputChannels + 7) / 8 * 8
        self.paddedOutputs = paddedOutputs
        let count = Variant.inputTile * Variant.inputTile * inputChannels * paddedOutputs
        weights = .transformed([Float](unsafeUninitializedCapacity: count) { u, initialised in
            ncnnWeights.withUnsafeBufferPointer { w in
                Self.transform(w.baseAddress!, packed: false, inputs: inputChannels, outputs: outputChannels,
                               paddedOutputs: paddedOutputs, into: u.baseAddress!, threads: ProcessorInfo.coreCount)
            }
            initialised = count
        })
    }

    /// Keeps `packed` weights (3 × 3 × inputs × outputs, im2col's layout) and
    /// transforms them at each run.
    init(inputChannels: Int, outputChannels: Int, packed: CompactWeights) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        paddedOutputs = (outputChannels + 7) / 8 * 8
        weights = .onDemand(packed)
    }

    /// U = G g Gᵀ for every (output, input) pair of `w` (outputs × inputs × 3 × 3,
    /// or 3 × 3 × inputs × outputs when `packed`) into `out` ((m+2)² matrices of
    /// inputs × paddedOutputs; the padding columns zero).
    private static func transform(_ w: UnsafePointer<Float>, packed: Bool, inputs: Int, outputs: Int,
                                  paddedOutputs n: Int, into out: UnsafeMutablePointer<Float>, threads: Int) {
        if packed {
            transformPacked(w, inputs: inputs, outputs: outputs, paddedOutputs: n, into: out, threads: threads)
            return
        }
        let a = Variant.inputTile, g = Variant.kernelTransform.flatMap { $0 }, planes = inputs * n
        if n > outputs {
            for p in 0 ..< a * a {
                for i in 0 ..< inputs { (out + p * planes + i * n + outputs).initialize(repeating: 0, count: n - outputs) }
            }
        }
        g.withUnsafeBufferPointer { g in
            parallelFor(outputs, threads: threads) { o in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: a * 3) { gk in
                    for i in 0 ..< inputs {
                        let k = w + (o * inputs + i) * 9
                        // G · kernel (a × 3), then · Gᵀ (a × a).
                        for r in 0 ..< a {
                            for c in 0 ..< 3 {
                                gk[r * 3 + c] = g[r * 3] * Double(k[c]) + g[r * 3 + 1] * Double(k[3 + c])
                                    + g[r * 3 + 2] * Double(k[6 + c])
                            }
                        }
                        for r in 0 ..< a {
                            for c in 0 ..< a {
                                let v = gk[r * 3] * g[c * 3] + gk[r * 3 + 1] * g[c * 3 + 1] + gk[r * 3 + 2] * g[c * 3 + 2]
                                out[(r * a + c) * planes + i * n + o] = Float(v)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The transform of im2col-packed weights (tap t of pair (o, i) at
    /// `w[(t · inputs + i) · outputs + o]`), in float32 and a whole row of outputs
    /// at a time, so the loops run over contiguous memory and vectorise: what keeps
    /// transforming at each run cheap.
    private static func transformPacked(_ w: UnsafePointer<Float>, inputs: Int, outputs: Int, paddedOutputs n: Int,
                                        into out: UnsafeMutablePointer<Float>, threads: Int) {
        let a = Variant.inputTile, g = Variant.kernelTransform.flatMap { $0 }.map { Float($0) }, planes = inputs * n
        let plane = inputs * outputs
        parallelFor(inputs, threads: threads) { i in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: a * 3 * outputs) { gk in
                let gk = gk.baseAddress!
                // gk[r][c] = Σⱼ G[r][j] · k[j][c], a row of outputs each.
                for r in 0 ..< a {
                    for c in 0 ..< 3 {
                        let dst = gk + (r * 3 + c) * outputs
                        let k0 = w + (c * inputs + i) * outputs, k1 = k0 + 3 * plane, k2 = k0 + 6 * plane
                        let g0 = g[r * 3], g1 = g[r * 3 + 1], g2 = g[r * 3 + 2]
                        for o in 0 ..< outputs { dst[o] = g0 * k0[o] + g1 * k1[o] + g2 * k2[o] }
                    }
                }
                // U[r][c] = Σⱼ gk[r][j] · G[c][j].
                for r in 0 ..< a {
                    let h0 = gk + r * 3 * outputs, h1 = h0 + outputs, h2 = h1 + outputs
                    for c in 0 ..< a {
                        let dst = out + (r * a + c) * planes + i * n
                        let g0 = g[c * 3], g1 = g[c * 3 + 1], g2 = g[c * 3 + 2]
                        for o in 0 ..< outputs { dst[o] = h0[o] * g0 + h1[o] * g1 + h2[o] * g2 }
                        if n > outputs { (dst + outputs).initialize(repeating: 0, count: n - outputs) }
                    }
                }
            }
        }
    }

    /// Calls `body` with the transformed weights.
    private func withTransformedWeights<R>(threads: Int, _ body: (UnsafePointer<Float>) throws -> R) throws -> R {
        switch weights {
        case .transformed(let u):
            return try u.withUnsafeBufferPointer { try body($0.baseAddress!) }
        case .onDemand(let raw):
            let count = Variant.inputTile * Variant.inputTile * inputChannels * paddedOutputs, pool = TensorPool.current
            guard let (buffer, capacity) = TensorPool.buffer(count, from: pool) else {
                throw RestoreError(.outOfMemory, "cannot allocate \(count / 262_144) MiB of transformed weights")
            }
            defer { TensorPool.recycle(buffer, capacity: capacity, to: pool) }
            try raw.withFloats(threads: threads) { w in
                Self.transform(w, packed: true, inputs: inputChannels, outputs: outputChannels,
                               paddedOutputs: paddedOutputs, into: buffer, threads: threads)
            }
            return try body(buffer)
        }
    }

    /// Tiles per block: large enough that packing the weights for each sgemm
    /// is paid over many tiles, small enough that a block's transformed input
    /// (a few MiB) stays in the last-level cache, and no thread idles for want
    /// of blocks when the image is small (as many as the partition has workers).
    private func blockTiles(tiles: Int) -> Int {
        let workers = WorkSplit.partitionWorkers
        let a = Variant.inputTile, ld = (inputChannels + 7) / 8 * 8
        let byCache = max(64, (1 << 20) / (a * a * ld))
        let byWorkers = max(16, (tiles + workers - 1) / workers)
        return min(byCache, byWorkers, tiles)
    }

    /// How one input part reaches the GEMM operand of a block.
    private enum PartTransform {
        /// Transformed for each block and dropped.
        case transient
        /// Transformed for each block and also kept for later readers.
        case keep(WinogradInputCache)
        /// Copied from a transform kept by an earlier reader.
        case reuse(WinogradInputCache)
    }

    /// Convolves `sources` (their channels side by side, `inputChannels` in
    /// all, each `height` × `width`) into `output`, adding `bias`, applying
    /// `activation` and then `residual`. `padTop`/`padLeft` place the input in
    /// the padded frame; the output size says how far the tiles reach.
    /// `keep[i]` asks to keep source i's transform on its tensor for later
    /// convolutions with the same tiling (which then copy instead of transform).
    func run(_ sources: [ChannelSource], keep: [Bool], height: Int, width: Int, padTop: Int, padLeft: Int,
             padValue: Float, bias: [Float]?, activation: Activation, residual: ResidualSum?, output: Tensor,
             context: ForwardContext) throws {
        let m = Variant.outputTile, a = Variant.inputTile, a2 = a * a
        let oh = output.height, ow = output.width
        let tilesX = (ow + m - 1) / m, tilesY = (oh + m - 1) / m, tiles = tilesX * tilesY
        let blockSize = blockTiles(tiles: tiles)
        let blocks = (tiles + blockSize - 1) / blockSize
        let ldV = (inputChannels + 7) / 8 * 8, ldM = paddedOutputs
        try context.workspace.reserve(.input, count: a2 * blockSize * ldV)
        try context.workspace.reserve(.products, count: a2 * blockSize * ldM)
        let key = WinogradInputCache.Key(outputTile: m, height: height, width: width, padTop: padTop, padLeft: padLeft,
                                         tilesX: tilesX, tilesY: tilesY, padValue: padValue)
        var transforms: [PartTransform] = []
        for (i, s) in sources.enumerated() {
            if let cache = s.tensor.storage.derived as? WinogradInputCache, cache.key == key,
               s.first == 0, s.count == s.tensor.channels {
                transforms.append(.reuse(cache))
            } else if i < keep.count, keep[i], s.first == 0, s.count == s.tensor.channels {
                transforms.append(.keep(try WinogradInputCache(key: key, channels: s.count, positions: a2)))
            } else {
                transforms.append(.transient)
            }
        }
        // Operand layout. Tile-major (a tile's (m+2)² rows adjacent) keeps the transforms' reads and
        // writes of a tile contiguous: best for one wide input. Position-major (each position's rows
        // adjacent) lets sgemm read its rows and write its products contiguously, which matters more
        // when the sum is split into narrow parts (dense blocks), and is the layout of kept transforms.
        let tileMajor = sources.count == 1 && transforms.allSatisfy { if case .transient = $0 { true } else { false } }
        let biasVector = (bias ?? []) + [Float](repeating: 0, count: paddedOutputs - (bias?.count ?? 0))
        try withTransformedWeights(threads: context.threads) { weights in
            biasVector.withUnsafeBufferPointer { biasPointer in
                WorkSplit.forEachBlock(blocks, threads: context.threads) { block, worker in
                    let first = block * blockSize, count = min(blockSize, tiles - first)
                    let v = context.workspace.pointer(.input, worker: worker)
                    let products = context.workspace.pointer(.products, worker: worker)
                    // Each part's transformed rows (in the block buffer, or in a kept transform):
                    // row n of position p at rows + n · ld + p · plane.
                    var operands: [(rows: UnsafeMutablePointer<Float>, ld: Int, plane: Int)] = []
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * a2 * 8) { scratch in
                        var channel = 0
                        for (s, transform) in zip(sources, transforms) {
                            switch transform {
                            case .reuse(let cache):
                                operands.append((cache.row(position: 0, tile: first), s.count, cache.tiles * s.count))
                            case .keep(let cache):
                                let rows = cache.row(position: 0, tile: first), cachePlane = cache.tiles * s.count
                                transformInput(s, height: height, width: width, padTop: padTop, padLeft: padLeft,
                                               padValue: padValue, tiles: first ..< first + count, tilesX: tilesX,
                                               into: rows, ld: s.count, plane: cachePlane, scratch: scratch.baseAddress!)
                                operands.append((rows, s.count, cachePlane))
                            case .transient:
                                let layout = tileMajor ? (ld: a2 * ldV, plane: ldV) : (ld: ldV, plane: count * ldV)
                                transformInput(s, height: height, width: width, padTop: padTop, padLeft: padLeft,
                                               padValue: padValue, tiles: first ..< first + count, tilesX: tilesX,
                                               into: v + channel, ld: layout.ld, plane: layout.plane,
                                               scratch: scratch.baseAddress!)
                                operands.append((v + channel, layout.ld, layout.plane))
                            }
                            channel += s.count
                        }
                    }
                    let out = tileMajor ? (ld: a2 * ldM, plane: ldM) : (ld: ldM, plane: count * ldM)
                    // One sgemm per position and part; the parts' channels split the sum (K).
                    // All accumulate: the products start at zero (see `Workspace.Slot.products`).
                    for p in 0 ..< a2 {
                        var channel = 0
                        for (s, operand) in zip(sources, operands) {
                            BLAS.sgemm(m: count, n: ldM, k: s.count,
                                       a: operand.rows + p * operand.plane, lda: operand.ld,
                                       b: weights + (p * inputChannels + channel) * ldM, ldb: ldM,
                                       c: products + p * out.plane, ldc: out.ld, accumulate: true)
                            channel += s.count
                        }
                    }
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: a2 * 8 + a * 8) { scratch in
                        transformOutput(products, plane: out.plane, ld: out.ld, tiles: first ..< first + count,
                                        tilesX: tilesX, bias: biasPointer.baseAddress!, activation: activation,
                                        residual: residual, output: output, middle: scratch.baseAddress!,
                                        row: scratch.baseAddress! + a2 * 8)
                    }
                }
            }
        }
        for (s, transform) in zip(sources, transforms) {
            if case .keep(let cache) = transform { s.tensor.storage.derived = cache }
        }
    }

    /// Step 1 for one source and the tiles `tiles`: (Bᵀ d B)[p] for the n-th
    /// tile's input patch d of channel c goes to `v[n · ld + p · plane + c]`
    /// (`v` points at the source's first column).
    @inline(__always)
    private func transformInput(_ s: ChannelSource, height: Int, width: Int, padTop: Int, padLeft: Int,
                                padValue: Float, tiles: Range<Int>, tilesX: Int, into v: UnsafeMutablePointer<Float>,
                                ld: Int, plane: Int, scratch: UnsafeMutablePointer<Float>) {
        let m = Variant.outputTile, a = Variant.inputTile
        let patch = scratch, middle = scratch + a * a * 8, column = scratch + 2 * a * a * 8
        let stride = s.tensor.channels
        for (n, t) in tiles.enumerated() {
            let y0 = (t / tilesX) * m - padTop, x0 = (t % tilesX) * m - padLeft
            let interior = y0 >= 0 && x0 >= 0 && y0 + a <= height && x0 + a <= width
            var c = 0
            while c < s.count {
                let lanes = min(8, s.count - c)
                // Rows of the patch, transformed along x, land transposed in `middle`.
                if interior && lanes == 8 {
                    let origin = s.pixel(x0, y0) + c
                    for i in 0 ..< a {
                        Variant.transformInput(origin + i * width * stride, stride, middle + i * 8, a * 8)
                    }
                } else {
                    gatherPatch(s, channel: c, lanes: lanes, x0: x0, y0: y0, height: height, width: width,
                                padValue: padValue, into: patch)
                    for i in 0 ..< a {
                        Variant.transformInput(patch + i * a * 8, 8, middle + i * 8, a * 8)
                    }
                }
                // Columns: position (i, j) goes to plane p = i·a + j, row n, column c.
                let dst = v + n * ld + c
                if lanes == 8 {
                    for j in 0 ..< a {
                        Variant.transformInput(middle + j * a * 8, 8, dst + j * plane, a * plane)
                    }
                } else {
                    for j in 0 ..< a {
                        Variant.transformInput(middle + j * a * 8, 8, column + j * 8, a * 8)
                    }
                    for p in 0 ..< a * a {
                        for lane in 0 ..< lanes { dst[p * plane + lane] = column[p * 8 + lane] }
                    }
                }
                c += 8
            }
        }
    }

    /// The (a × a × 8) patch of channels c..<c+lanes at (x0, y0), with padding
    /// outside the image and zero in unused lanes.
    @inline(__always)
    private func gatherPatch(_ s: ChannelSource, channel c: Int, lanes: Int, x0: Int, y0: Int, height: Int, width: Int,
                             padValue: Float, into patch: UnsafeMutablePointer<Float>) {
        let a = Variant.inputTile
        var pad = Vec8(repeating: padValue)
        for lane in lanes ..< 8 { pad[lane] = 0 }
        let first = max(0, -x0), last = min(a, width - x0)
        for i in 0 ..< a {
            let y = y0 + i, row = patch + i * a * 8
            guard y >= 0, y < height, first < last else {
                for j in 0 ..< a { store8(pad, row, j * 8) }
                continue
            }
            for j in 0 ..< first { store8(pad, row, j * 8) }
            let src = s.pixel(x0 + first, y) + c, stride = s.tensor.channels
            if lanes == 8 {
                for j in first ..< last { store8(load8(src, (j - first) * stride), row, j * 8) }
            } else {
                for j in first ..< last {
                    let dst = row + j * 8
                    for lane in 0 ..< lanes { dst[lane] = src[(j - first) * stride + lane] }
                    for lane in lanes ..< 8 { dst[lane] = 0 }
                }
            }
            for j in last ..< a { store8(pad, row, j * 8) }
        }
    }

    /// Step 3: tiles back to pixels (Aᵀ M A), plus bias, activation and the
    /// residual sum; leaves `products` zero.
    @inline(__always)
    private func transformOutput(_ products: UnsafeMutablePointer<Float>, plane: Int, ld: Int, tiles: Range<Int>,
                                 tilesX: Int, bias: UnsafePointer<Float>, activation: Activation, residual: ResidualSum?,
                                 output: Tensor, middle: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>) {
        let m = Variant.outputTile, a = Variant.inputTile
        let oh = output.height, ow = output.width, channels = output.channels
        for (n, t) in tiles.enumerated() {
            let y0 = (t / tilesX) * m, x0 = (t % tilesX) * m
            let rows = min(m, oh - y0), columns = min(m, ow - x0)
            var c = 0
            while c < channels {
                let lanes = min(8, channels - c)
                let src = products + n * ld + c
                // Columns of the a × a block (stride a·plane between rows) → m rows, transposed.
                for j in 0 ..< a {
                    Variant.transformOutput(src + j * plane, a * plane, middle + j * 8, a * 8)
                }
                let b = load8(bias, c)
                for i in 0 ..< rows {
                    Variant.transformOutput(middle + i * a * 8, 8, row, 8)
                    let offset = ((y0 + i) * ow + x0) * channels + c
                    let dst = output.pointer + offset
                    for j in 0 ..< columns {
                        var value = activation.apply(load8(row, j * 8) + b)
                        if lanes == 8 {
                            if let residual {
                                value = value * residual.outputScale
                                    + load8(residual.tensor.pointer + offset, j * channels) * residual.residualScale
                            }
                            store8(value, dst, j * channels)
                        } else {
                            for lane in 0 ..< lanes {
                                var v = value[lane]
                                if let residual {
                                    v = v * residual.outputScale
                                        + residual.tensor.pointer[offset + j * channels + lane] * residual.residualScale
                                }
                                dst[j * channels + lane] = v
                            }
                        }
                    }
                }
                c += 8
            }
            // Back to zero for the next block's GEMMs.
            for p in 0 ..< a * a { (products + n * ld + p * plane).update(repeating: 0, count: paddedOutputs) }
        }
    }
}
