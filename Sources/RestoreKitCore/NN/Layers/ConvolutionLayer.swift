/// ncnn `Convolution`: 2-D convolution of all input channels (parameters:
/// 0 outputs, 1/11 kernel, 2/12 dilation, 3/13 stride, 4/15/14/16 padding,
/// 18 pad value, 5 bias, 6 weight count, 9/10 fused activation; weights
/// outputs × inputs × kh × kw, then the bias).
///
/// 3×3 stride-1 undilated kernels run as Winograd F(6×6, 3×3) (weights kept
/// raw for large models: F(6×6), F(4×4) or im2col by the output's size);
/// everything else as im2col + sgemm. The layer also accepts its input as several
/// tensors side by side and a weighted residual sum (`forward(parts:…)`),
/// which lets the network fold a `Concat` feeding only this layer, and an
/// `Eltwise` sum reading only its output, into it instead of copying.
struct ConvolutionLayer: Layer {
    enum Kernel: Sendable {
        case winograd(WinogradConvolution<WinogradF63>)
        case im2col(Im2colConvolution)
        /// All three over one copy of compact weights, chosen per run by the output's size.
        case adaptive(WinogradConvolution<WinogradF63>, WinogradConvolution<WinogradF43>, Im2colConvolution)
    }

    /// Output tiles from which a convolution whose weights are transformed at each
    /// run takes Winograd (F(6×6) if it has that many of its tiles, else F(4×4)):
    /// below it the transform costs more than it saves.
    static let onDemandWinogradTiles = 64

    let geometry: ConvolutionGeometry
    let outputChannels: Int
    let inputChannels: Int
    let bias: [Float]?
    let activation: Activation
    let kernel: Kernel

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        geometry = try ConvolutionGeometry(params: params)
        outputChannels = params.int(0, 0)
        let weightCount = params.int(6, 0)
        guard params.int(19, 0) == 0 else { throw RestoreError(.model, "dynamic convolution weights are not supported") }
        guard params.int(8, 0) == 0 else { throw RestoreError(.model, "int8 convolutions are not supported") }
        let perInput = outputChannels * geometry.taps
        guard outputChannels > 0, weightCount > 0, perInput > 0, weightCount % perInput == 0 else {
            throw RestoreError(.model, "weight count \(weightCount) is not a multiple of \(outputChannels) outputs × \(geometry.taps) taps")
        }
        inputChannels = weightCount / perInput
        activation = try Activation(params: params)
        let w = try weights.loadTagged(weightCount)
        bias = params.int(5, 0) != 0 ? try weights.loadRaw(outputChannels) : nil
        kernel = Self.kernel(geometry, inputChannels, outputChannels, w)
    }

    /// A convolution of `geometry` with `weights` (outputs × inputs × kh × kw),
    /// `bias` (one per output, or nil) and a fused `activation`, built in code.
    init(geometry: ConvolutionGeometry, outputs: Int, weights: [Float], bias: [Float]?,
         activation: Activation) throws {
        let perInput = outputs * geometry.taps
        guard outputs > 0, !weights.isEmpty, weights.count % perInput == 0, bias.map({ $0.count == outputs }) ?? true else {
            throw RestoreError(.model, "\(weights.count) weights and \(bias?.count ?? 0) biases do not fit \(outputs) outputs × \(geometry.taps) taps")
        }
        self.geometry = geometry
        outputChannels = outputs
        inputChannels = weights.count / perInput
        self.bias = bias
        self.activation = activation
        kernel = Self.kernel(geometry, inputChannels, outputs, weights)
    }

    /// A convolution whose weights stay as the model file gives them
    /// (`raw`: outputs × inputs × kh × kw, fp16 in half the memory): Winograd
    /// transforms them at each run instead of keeping the (m+2)²/9 times larger
    /// transform. For large models.
    init(geometry: ConvolutionGeometry, outputs: Int, raw: CompactWeights, bias: [Float]?,
         activation: Activation) throws {
        let perInput = outputs * geometry.taps
        guard outputs > 0, raw.count > 0, raw.count % perInput == 0, bias.map({ $0.count == outputs }) ?? true else {
            throw RestoreError(.model, "\(raw.count) weights and \(bias?.count ?? 0) biases do not fit \(outputs) outputs × \(geometry.taps) taps")
        }
        self.geometry = geometry
        outputChannels = outputs
        inputChannels = raw.count / perInput
        self.bias = bias
        self.activation = activation
        let im2col = Im2colConvolution(geometry: geometry, inputChannels: inputChannels, outputChannels: outputs,
                                       groups: 1, raw: raw)
        if geometry.isWinogradShape {
            kernel = .adaptive(WinogradConvolution(inputChannels: inputChannels, outputChannels: outputs,
                                                   packed: im2col.weights),
                               WinogradConvolution(inputChannels: inputChannels, outputChannels: outputs,
                                                   packed: im2col.weights), im2col)
        } else {
            kernel = .im2col(im2col)
        }
    }

    /// The fastest kernel that computes this geometry.
    static func kernel(_ g: ConvolutionGeometry, _ inputs: Int, _ outputs: Int, _ weights: [Float]) -> Kernel {
        if g.isWinogradShape {
            return .winograd(WinogradConvolution(inputChannels: inputs, outputChannels: outputs, ncnnWeights: weights))
        }
        return .im2col(Im2colConvolution(geometry: g, inputChannels: inputs, outputChannels: outputs, groups: 1,
                                          ncnnWeights: weights))
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        [try forward(parts: inputs, context: context)]
    }

    /// The convolution of `parts` joined along channels, optionally summed
    /// with `residual`. `keepTransforms[i]` says part i will be read by another
    /// convolution, so its transformed input is worth keeping.
    func forward(parts: [Tensor], keepTransforms: [Bool] = [], residual: ResidualSum? = nil,
                 context: ForwardContext) throws -> Tensor {
        let first = parts[0]
        let channels = parts.reduce(0) { $0 + $1.channels }
        guard channels == inputChannels, parts.allSatisfy({ $0.height == first.height && $0.width == first.width }) else {
            throw shapeError("input \(parts.map(\.shapeDescription).joined(separator: " + ")) does not match weights for \(inputChannels) channels")
        }
        guard let size = geometry.convolutionOutput(height: first.height, width: first.width) else {
            throw shapeError("a \(geometry.kernelW)×\(geometry.kernelH) kernel does not fit a \(first.shapeDescription) input")
        }
        let output = try Tensor(height: size.height, width: size.width, channels: outputChannels)
        if let residual, !residual.tensor.hasShape(of: output) {
            throw shapeError("cannot add \(residual.tensor.shapeDescription) to the \(output.shapeDescription) output")
        }
        let sources = ChannelSource.concatenation(parts)
        func winograd<V>(_ w: WinogradConvolution<V>) throws {
            try w.run(sources, keep: keepTransforms, height: first.height, width: first.width, padTop: size.pad.top,
                      padLeft: size.pad.left, padValue: geometry.padValue, bias: bias, activation: activation,
                      residual: residual, output: output, context: context)
        }
        func im2col(_ c: Im2colConvolution) throws {
            try c.run(sources, height: first.height, width: first.width, output: output, pad: size.pad, context: context)
            addBias(bias, activation: activation, to: output, threads: context.threads)
            if let residual { addResidual(residual, to: output, threads: context.threads) }
        }
        switch kernel {
        case .winograd(let w):
            try winograd(w)
        case .im2col(let c):
            try im2col(c)
        case .adaptive(let w63, let w43, let c):
            func tiles(_ m: Int) -> Int { ((size.height + m - 1) / m) * ((size.width + m - 1) / m) }
            if tiles(WinogradF63.outputTile) >= Self.onDemandWinogradTiles {
                try winograd(w63)
            } else if tiles(WinogradF43.outputTile) >= Self.onDemandWinogradTiles {
                try winograd(w43)
            } else {
                try im2col(c)
            }
        }
        return output
    }

    func multiplyAdds(inputs: [Tensor]) -> Double {
        guard let first = inputs.first, let size = geometry.convolutionOutput(height: first.height, width: first.width) else { return 0 }
        return Double(size.height * size.width) * Double(outputChannels * inputChannels * geometry.taps)
    }
}

/// output = output · outputScale + residual · residualScale, element by element.
func addResidual(_ residual: ResidualSum, to output: Tensor, threads: Int) {
    WorkSplit.forEachRange(output.count, threads: threads) { range in
        for i in range {
            output.pointer[i] = output.pointer[i] * residual.outputScale + residual.tensor.pointer[i] * residual.residualScale
        }
    }
}

/// Adds the per-channel `bias` and applies `activation` to every pixel of `output`.
func addBias(_ bias: [Float]?, activation: Activation, to output: Tensor, threads: Int) {
    guard bias != nil || activation != .identity else { return }
    let c = output.channels
    WorkSplit.forEachRange(output.height * output.width, threads: threads, minimumChunk: 2048) { pixels in
        let start = output.pointer + pixels.lowerBound * c
        if let bias {
            var p = start
            for _ in pixels {
                for k in 0 ..< c { p[k] += bias[k] }
                p += c
            }
        }
        activation.apply(start, count: pixels.count * c)
    }
}
