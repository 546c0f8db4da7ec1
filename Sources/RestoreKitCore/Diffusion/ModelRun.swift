/// What one forward pass of a diffusion model shares between its blocks: the
/// threads and the convolutions' scratch buffers.
struct ModelRun {
    let threads: Int
    let convolution: ForwardContext

    init(threads: Int) {
        self.threads = max(1, threads)
        convolution = ForwardContext(threads: self.threads, workspace: Workspace(workers: self.threads), outputCount: 1)
        BLAS.useCallingThreadOnly()
    }

    /// Runs a convolution, optionally adding `residual` to its output.
    func convolve(_ layer: ConvolutionLayer, _ x: Tensor, residual: Tensor? = nil) throws -> Tensor {
        try layer.forward(parts: [x], residual: residual.map { ResidualSum(tensor: $0, outputScale: 1, residualScale: 1) },
                          context: convolution)
    }
}
