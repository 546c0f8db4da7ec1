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
}
