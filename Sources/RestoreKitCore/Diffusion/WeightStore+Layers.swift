/// The engine's layers built from PyTorch-named weights (`name.weight`,
/// `name.bias`), each shape checked by the store. Weights stay in the
/// precision the file stores them (fp16 in half the memory) and convolutions
/// transform theirs at each run: what lets a 1 GB-parameter UNet fit in memory.
extension WeightStore {
    func linear(_ name: String, _ inputs: Int, _ outputs: Int, bias: Bool = true,
                activation: Activation = .identity) throws -> Linear {
        try Linear(inputs: inputs, outputs: outputs, weight: takeCompact(name + ".weight", shape: [outputs, inputs]),
                   bias: bias ? take(name + ".bias", shape: [outputs]) : nil, activation: activation)
    }

    /// A linear layer stored either as `[outputs, inputs]` or as a 1×1
    /// convolution `[outputs, inputs, 1, 1]` (the same computation).
    func pointwise(_ name: String, _ inputs: Int, _ outputs: Int) throws -> Linear {
        let shape = self.shape(name + ".weight")?.count == 4 ? [outputs, inputs, 1, 1] : [outputs, inputs]
        return try Linear(inputs: inputs, outputs: outputs, weight: takeCompact(name + ".weight", shape: shape),
                          bias: take(name + ".bias", shape: [outputs]))
    }

    func layerNorm(_ name: String, _ channels: Int, epsilon: Float) throws -> LayerNorm {
        try LayerNorm(channels: channels, weight: take(name + ".weight", shape: [channels]),
                      bias: take(name + ".bias", shape: [channels]), epsilon: epsilon)
    }

    func groupNorm(_ name: String, groups: Int, _ channels: Int, epsilon: Float,
                   activation: Activation = .identity) throws -> GroupNorm {
        try GroupNorm(groups: groups, channels: channels, weight: take(name + ".weight", shape: [channels]),
                      bias: take(name + ".bias", shape: [channels]), epsilon: epsilon, activation: activation)
    }

    /// A square convolution with a bias and a fused activation; `padding` zeros
    /// on every side unless `asymmetric` gives (top, bottom, left, right).
    func convolution(_ name: String, _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1, padding: Int,
                     asymmetric: (top: Int, bottom: Int, left: Int, right: Int)? = nil,
                     activation: Activation = .identity) throws -> ConvolutionLayer {
        let pad = asymmetric ?? (padding, padding, padding, padding)
        return try ConvolutionLayer(geometry: ConvolutionGeometry(kernel: kernel, stride: stride, padding: pad),
                                    outputs: outputs,
                                    raw: takeCompact(name + ".weight", shape: [outputs, inputs, kernel, kernel]),
                                    bias: take(name + ".bias", shape: [outputs]), activation: activation)
    }
}
