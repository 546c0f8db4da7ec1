/// diffusers' `ResnetBlock2D` as Stable Diffusion's UNet and VAE use it: group
/// norm and SiLU, 3×3 convolution, the time embedding added per channel (UNet
/// only), group norm and SiLU, 3×3 convolution, plus the input (through a 1×1
/// convolution when the channel count changes).
struct ResnetBlock: Sendable {
    let inputs: Int
    let outputs: Int
    private let norm1: GroupNorm
    private let conv1: ConvolutionLayer
    private let timeProjection: Linear?
    private let norm2: GroupNorm
    private let conv2: ConvolutionLayer
    private let shortcut: Linear?

    /// The block named `prefix` (`….resnets.0`); `timeChannels` is the time
    /// embedding's width, nil in the VAE.
    init(_ weights: WeightStore, _ prefix: String, inputs: Int, outputs: Int, groups: Int, epsilon: Float,
         timeChannels: Int?) throws {
        self.inputs = inputs
        self.outputs = outputs
        norm1 = try weights.groupNorm(prefix + ".norm1", groups: groups, inputs, epsilon: epsilon, activation: .silu)
        conv1 = try weights.convolution(prefix + ".conv1", inputs, outputs, kernel: 3, padding: 1)
        timeProjection = try timeChannels.map { try weights.linear(prefix + ".time_emb_proj", $0, outputs) }
        norm2 = try weights.groupNorm(prefix + ".norm2", groups: groups, outputs, epsilon: epsilon, activation: .silu)
        conv2 = try weights.convolution(prefix + ".conv2", outputs, outputs, kernel: 3, padding: 1)
        shortcut = inputs == outputs ? nil : try weights.pointwise(prefix + ".conv_shortcut", inputs, outputs)
    }

    /// The block on `x`; `time` is SiLU of the time embedding (1 × 1 × channels) in the UNet.
    func callAsFunction(_ x: Tensor, time: Tensor?, run: ModelRun) throws -> Tensor {
        var h = try run.convolve(conv1, norm1(x, threads: run.threads))
        if let timeProjection, let time {
            let shift = try timeProjection(time, threads: 1)
            h = try addingChannelVector(h, shift.interleaved(), threads: run.threads)
        }
        h = try norm2(h, threads: run.threads)
        let skip = try shortcut?(x, threads: run.threads) ?? x
        return try run.convolve(conv2, h, residual: skip)
    }

    /// The block on `x` (no time embedding: the VAE's blocks) band by band: each
    /// group norm takes its statistics from the whole map, so any bands give the
    /// whole map's result. The output overwrites `x` when nothing else holds it
    /// and the widths match.
    func callAsFunction(_ x: consuming Tensor, bands: RowBands, run: ModelRun) throws -> Tensor {
        precondition(timeProjection == nil, "bands of a block with a time embedding")
        if bands.isWhole(height: x.height) { return try self(x, time: nil, run: run) }
        let first = try norm1.normalization(of: x, threads: run.threads)
        let h = try bands.assemble(height: x.height, width: x.width, channels: outputs) { band in
            try bands.convolve(conv1, rows: band, height: x.height, run: run) {
                try norm1(rows($0, of: x), first, threads: run.threads)
            }
        }
        let second = try norm2.normalization(of: h, threads: run.threads)
        // A band reads only its own rows of `x` from here on.
        let target = inputs == outputs && x.isUniquelyReferenced() ? x : nil
        return try bands.assemble(height: x.height, width: x.width, channels: outputs, into: target) { band in
            let out = try bands.convolve(conv2, rows: band, height: h.height, run: run) {
                try norm2(rows($0, of: h), second, threads: run.threads)
            }
            let input = try rows(band, of: x)
            return try add(out, shortcut?(input, threads: run.threads) ?? input, threads: run.threads)
        }
    }
}
