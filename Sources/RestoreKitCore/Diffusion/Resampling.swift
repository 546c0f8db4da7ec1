/// diffusers' `Downsample2D` with a convolution: 3×3 at stride 2. The UNet pads
/// one pixel on every side; the VAE pads only the bottom and right edges.
struct Downsample: Sendable {
    private let conv: ConvolutionLayer

    init(_ weights: WeightStore, _ prefix: String, channels: Int, padsBottomRightOnly: Bool) throws {
        conv = try weights.convolution(prefix + ".conv", channels, channels, kernel: 3, stride: 2, padding: 1,
                                       asymmetric: padsBottomRightOnly ? (0, 1, 0, 1) : nil)
    }

    func callAsFunction(_ x: Tensor, run: ModelRun) throws -> Tensor {
        try run.convolve(conv, x)
    }
}

/// diffusers' `Upsample2D` with a convolution: nearest-neighbour ×2 (or to the
/// size of the skip connection the UNet joins next), then 3×3.
struct Upsample: Sendable {
    private let conv: ConvolutionLayer

    init(_ weights: WeightStore, _ prefix: String, channels: Int) throws {
        conv = try weights.convolution(prefix + ".conv", channels, channels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ x: Tensor, height: Int? = nil, width: Int? = nil, run: ModelRun) throws -> Tensor {
        let up = try upsampleNearest(x, height: height ?? 2 * x.height, width: width ?? 2 * x.width, threads: run.threads)
        return try run.convolve(conv, up)
    }
}
