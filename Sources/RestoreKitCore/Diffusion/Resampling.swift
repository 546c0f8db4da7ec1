/// diffusers' `Downsample2D` with a convolution: 3×3 at stride 2. The UNet pads
/// one pixel on every side; the VAE pads only the bottom and right edges.
struct Downsample: Sendable {
    private let conv: ConvolutionLayer
    private let padsBottomRightOnly: Bool

    init(_ weights: WeightStore, _ prefix: String, channels: Int, padsBottomRightOnly: Bool) throws {
        self.padsBottomRightOnly = padsBottomRightOnly
        conv = try weights.convolution(prefix + ".conv", channels, channels, kernel: 3, stride: 2, padding: 1,
                                       asymmetric: padsBottomRightOnly ? (0, 1, 0, 1) : nil)
    }

    func callAsFunction(_ x: Tensor, run: ModelRun) throws -> Tensor {
        try run.convolve(conv, x)
    }

    /// The VAE's downsampling band by band: output row i reads rows 2i … 2i + 2.
    func callAsFunction(_ x: Tensor, bands: RowBands, run: ModelRun) throws -> Tensor {
        precondition(padsBottomRightOnly, "bands of a downsampling padded on every side")
        if bands.isWhole(height: x.height / 2) { return try self(x, run: run) }
        return try bands.assemble(height: x.height / 2, width: x.width / 2, channels: x.channels) { band in
            try run.convolve(conv, rows(2 * band.lowerBound ..< min(x.height, 2 * band.upperBound + 1), of: x))
        }
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

    /// Upsampling ×2 band by band, each band upsampling only the rows its convolution reads.
    func callAsFunction(_ x: Tensor, bands: RowBands, run: ModelRun) throws -> Tensor {
        let height = 2 * x.height, width = 2 * x.width
        if bands.isWhole(height: height) { return try self(x, run: run) }
        return try bands.assemble(height: height, width: width, channels: x.channels) { band in
            try bands.convolve(conv, rows: band, height: height, run: run) { read in
                let source = read.lowerBound / 2 ..< (read.upperBound + 1) / 2
                let up = try upsampleNearest(rows(source, of: x), height: 2 * source.count, width: width,
                                             threads: run.threads)
                return try rows(read.lowerBound - 2 * source.lowerBound ..< read.upperBound - 2 * source.lowerBound,
                                of: up)
            }
        }
    }
}
