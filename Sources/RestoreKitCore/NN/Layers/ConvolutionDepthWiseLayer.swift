/// ncnn `ConvolutionDepthWise`: convolution in channel groups (parameter 7,
/// the group count): output group g sees only input group g. Other
/// parameters and the weight layout (outputs × inputs/groups × kh × kw) are
/// `Convolution`'s. One group is a plain convolution; one channel per group
/// (depthwise) runs as a direct loop, vectorised across channels.
struct ConvolutionDepthWiseLayer: Layer {
    private let geometry: ConvolutionGeometry
    private let outputChannels: Int
    private let inputChannels: Int
    private let groups: Int
    private let bias: [Float]?
    private let activation: Activation
    /// Depthwise: the kernel of each channel, tap-major (taps × channels).
    private let depthwise: [Float]?
    private let grouped: Im2colConvolution?

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        geometry = try ConvolutionGeometry(params: params)
        outputChannels = params.int(0, 0)
        groups = params.int(7, 1)
        let weightCount = params.int(6, 0)
        guard params.int(19, 0) == 0, params.int(8, 0) == 0 else {
            throw RestoreError(.model, "dynamic or int8 convolution weights are not supported")
        }
        guard groups > 0, outputChannels > 0, outputChannels % groups == 0,
              weightCount > 0, weightCount % (outputChannels * geometry.taps) == 0 else {
            throw RestoreError(.model, "weight count \(weightCount) does not fit \(outputChannels) outputs in \(groups) groups")
        }
        inputChannels = weightCount / (outputChannels * geometry.taps) * groups
        activation = try Activation(params: params)
        let w = try weights.loadTagged(weightCount)
        bias = params.int(5, 0) != 0 ? try weights.loadRaw(outputChannels) : nil
        if groups == inputChannels && groups == outputChannels {
            var d = [Float](repeating: 0, count: w.count)
            for c in 0 ..< groups {
                for t in 0 ..< geometry.taps { d[t * groups + c] = w[c * geometry.taps + t] }
            }
            depthwise = d
            grouped = nil
        } else {
            depthwise = nil
            grouped = Im2colConvolution(geometry: geometry, inputChannels: inputChannels,
                                        outputChannels: outputChannels, groups: groups, ncnnWeights: w)
        }
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... 1, 1 ... 1) }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        let x = inputs[0]
        guard x.channels == inputChannels else {
            throw shapeError("input \(x.shapeDescription) does not match weights for \(inputChannels) channels")
        }
        guard let size = geometry.convolutionOutput(height: x.height, width: x.width) else {
            throw shapeError("a \(geometry.kernelW)×\(geometry.kernelH) kernel does not fit a \(x.shapeDescription) input")
        }
        let output = try Tensor(height: size.height, width: size.width, channels: outputChannels)
        if let depthwise {
            runDepthwise(x, depthwise, output: output, pad: size.pad, threads: context.threads)
        } else if let grouped {
            try grouped.run([ChannelSource(tensor: x, first: 0, count: x.channels)], height: x.height, width: x.width,
                            output: output, pad: size.pad, context: context)
        }
        addBias(bias, activation: activation, to: output, threads: context.threads)
        return [output]
    }

    private func runDepthwise(_ x: Tensor, _ kernel: [Float], output: Tensor,
                              pad: (top: Int, bottom: Int, left: Int, right: Int), threads: Int) {
        let g = geometry, c = x.channels
        WorkSplit.forEachRange(output.height, threads: threads, minimumChunk: 2) { rows in
            for oy in rows {
                for ox in 0 ..< output.width {
                    let dst = output.pointer + (oy * output.width + ox) * c
                    for k in 0 ..< c { dst[k] = 0 }
                    for ky in 0 ..< g.kernelH {
                        let iy = oy * g.strideH - pad.top + ky * g.dilationH
                        for kx in 0 ..< g.kernelW {
                            let ix = ox * g.strideW - pad.left + kx * g.dilationW
                            let w = (ky * g.kernelW + kx) * c
                            if iy >= 0, iy < x.height, ix >= 0, ix < x.width {
                                let src = x.pointer + (iy * x.width + ix) * c
                                for k in 0 ..< c { dst[k] += src[k] * kernel[w + k] }
                            } else if g.padValue != 0 {
                                for k in 0 ..< c { dst[k] += g.padValue * kernel[w + k] }
                            }
                        }
                    }
                }
            }
        }
    }

    func multiplyAdds(inputs: [Tensor]) -> Double {
        guard let x = inputs.first, let size = geometry.convolutionOutput(height: x.height, width: x.width) else { return 0 }
        return Double(size.height * size.width) * Double(outputChannels * inputChannels / groups * geometry.taps)
    }
}
