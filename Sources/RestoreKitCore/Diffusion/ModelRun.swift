/// What one forward pass of a diffusion model shares between its blocks: the
/// threads, the convolutions' scratch buffers, and the model's tensor pool, which
/// keeps freed tensors and widened or transformed weights for the next layers,
/// and the caller's callback at each layer (progress, cancellation).
struct ModelRun {
    let threads: Int
    let convolution: ForwardContext
    let onLayer: (() throws -> Void)?

    init(threads: Int, pool: TensorPool, onLayer: (() throws -> Void)? = nil) {
        self.threads = max(1, threads)
        self.onLayer = onLayer
        convolution = ForwardContext(threads: self.threads, workspace: Workspace(workers: self.threads, pool: pool),
                                     outputCount: 1)
        BLAS.useCallingThreadOnly()
    }

    /// Runs `body` as one pass with `pool` as the calling thread's tensor pool;
    /// `onLayer` is called before each convolution and transformer block, and
    /// what it throws ends the pass.
    static func with<R>(threads: Int, pool: TensorPool, onLayer: (() throws -> Void)? = nil,
                        _ body: (ModelRun) throws -> R) rethrows -> R {
        let previous = TensorPool.current
        TensorPool.current = pool
        let pass = pool.beginPass()
        defer {
            TensorPool.current = previous
            pool.endPass(pass)
        }
        return try body(ModelRun(threads: threads, pool: pool, onLayer: onLayer))
    }

    /// Runs a convolution, optionally adding `residual` to its output.
    func convolve(_ layer: ConvolutionLayer, _ x: Tensor, residual: Tensor? = nil) throws -> Tensor {
        try onLayer?()
        return try layer.forward(parts: [x], residual: residual.map { ResidualSum(tensor: $0, outputScale: 1, residualScale: 1) },
                          context: convolution)
    }
}
