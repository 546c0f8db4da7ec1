/// A fully connected layer, y = x · Wᵀ + b, applied to every pixel (token) of a
/// tensor: PyTorch's `nn.Linear`, and a 1×1 convolution.
///
/// The weight stays in PyTorch's layout (outputs × inputs), in the precision
/// the model file gives (`CompactWeights`), and sgemm reads it transposed. Work
/// is split by rows (tokens) when there are many, else by output columns, each
/// block a single-threaded sgemm on its own worker. Every call packs its block's
/// weights, so a block has at least `minimumRows` rows.
public struct Linear: Sendable {
    public let inputs: Int
    public let outputs: Int
    let weight: CompactWeights
    let bias: [Float]?
    /// Applied after the bias.
    let activation: Activation

    /// `weight` is outputs × inputs (row-major), `bias` one per output or nil.
    init(inputs: Int, outputs: Int, weight: [Float], bias: [Float]?, activation: Activation = .identity) throws {
        try self.init(inputs: inputs, outputs: outputs, weight: CompactWeights(weight), bias: bias, activation: activation)
    }

    init(inputs: Int, outputs: Int, weight: CompactWeights, bias: [Float]?, activation: Activation = .identity) throws {
        guard inputs > 0, outputs > 0, weight.count == inputs * outputs, bias.map({ $0.count == outputs }) ?? true else {
            throw RestoreError(.model, "a linear layer of \(inputs) → \(outputs) needs \(inputs * outputs) weights and \(outputs) biases, not \(weight.count) and \(bias?.count ?? 0)")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }

    /// Rows a block split by rows has at least.
    private static let minimumRows = 256

    /// The layer applied to each pixel of `x` (which must have `inputs` channels).
    func callAsFunction(_ x: Tensor, threads: Int) throws -> Tensor {
        guard x.channels == inputs else {
            throw RestoreError(.model, "a linear layer of \(inputs) inputs was given \(x.channels) channels")
        }
        let out = try Tensor(height: x.height, width: x.width, channels: outputs)
        try apply(x.pointer, rows: x.height * x.width, to: out.pointer, ldc: outputs, threads: threads)
        return out
    }

    /// Writes the layer's output for `rows` rows of `inputs` values at `x` into
    /// `c` (row stride `ldc`).
    func apply(_ x: UnsafePointer<Float>, rows: Int, to c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) throws {
        try weight.withFloats(threads: threads) { w in
            let workers = WorkSplit.partitionWorkers
            let byRows = rows >= Self.minimumRows * workers
            let blocks = byRows ? min(rows / Self.minimumRows, workers * 4) : min(max(1, outputs / 64), workers)
            let size = ((byRows ? rows : outputs) + blocks - 1) / blocks
            WorkSplit.forEachBlock(blocks, threads: threads) { block, _ in
                if byRows {
                    let r0 = block * size, r1 = min(rows, r0 + size)
                    guard r0 < r1 else { return }
                    writeBias(c + r0 * ldc, rows: r1 - r0, columns: 0 ..< outputs, ldc: ldc)
                    BLAS.sgemm(m: r1 - r0, n: outputs, k: inputs, a: x + r0 * inputs, lda: inputs,
                               b: w, ldb: inputs, transposeB: true, c: c + r0 * ldc, ldc: ldc, accumulate: bias != nil)
                    activate(c + r0 * ldc, rows: r1 - r0, columns: 0 ..< outputs, ldc: ldc)
                } else {
                    let j0 = block * size, j1 = min(outputs, j0 + size)
                    guard j0 < j1 else { return }
                    writeBias(c, rows: rows, columns: j0 ..< j1, ldc: ldc)
                    BLAS.sgemm(m: rows, n: j1 - j0, k: inputs, a: x, lda: inputs,
                               b: w + j0 * inputs, ldb: inputs, transposeB: true, c: c + j0, ldc: ldc,
                               accumulate: bias != nil)
                    activate(c, rows: rows, columns: j0 ..< j1, ldc: ldc)
                }
            }
        }
    }

    /// Writes the bias into `columns` of `rows` rows, for sgemm to add the
    /// product to (in place of the pass that zeroes them, and of one adding the
    /// bias after).
    private func writeBias(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, ldc: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { bias in
            for r in 0 ..< rows {
                (c + r * ldc + columns.lowerBound).update(from: bias.baseAddress! + columns.lowerBound, count: columns.count)
            }
        }
    }

    /// Applies the activation to `columns` of `rows` rows.
    private func activate(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, ldc: Int) {
        guard activation != .identity else { return }
        for r in 0 ..< rows {
            activation.apply(c + r * ldc + columns.lowerBound, count: columns.count)
        }
    }

    /// Multiply-adds for `rows` rows.
    func multiplyAdds(rows: Int) -> Double { Double(rows) * Double(inputs * outputs) }
}
