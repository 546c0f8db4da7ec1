/// Layer normalisation over the channels of each pixel (token), with a
/// per-channel scale and shift: PyTorch's `nn.LayerNorm(channels)`.
public struct LayerNorm: Sendable {
    public let channels: Int
    let weight: [Float]
    let bias: [Float]
    let epsilon: Float

    init(channels: Int, weight: [Float], bias: [Float], epsilon: Float) throws {
        guard channels > 0, weight.count == channels, bias.count == channels else {
            throw RestoreError(.model, "a layer norm of \(channels) channels needs \(channels) weights and biases, not \(weight.count) and \(bias.count)")
        }
        self.channels = channels
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    func callAsFunction(_ x: Tensor, threads: Int) throws -> Tensor {
        guard x.channels == channels else {
            throw RestoreError(.model, "a layer norm of \(channels) channels was given \(x.channels)")
        }
        let out = try Tensor(height: x.height, width: x.width, channels: channels)
        let c = channels
        WorkSplit.forEachRange(x.height * x.width, threads: threads, minimumChunk: max(1, 16384 / c)) { rows in
            for r in rows {
                let src = x.pointer + r * c, dst = out.pointer + r * c
                var sum = 0.0
                for j in 0 ..< c { sum += Double(src[j]) }
                let mean = sum / Double(c)
                var squares = 0.0
                for j in 0 ..< c {
                    let d = Double(src[j]) - mean
                    squares += d * d
                }
                let scale = Float(1 / (squares / Double(c) + Double(epsilon)).squareRoot()), m = Float(mean)
                for j in 0 ..< c { dst[j] = (src[j] - m) * scale * weight[j] + bias[j] }
            }
        }
        return out
    }
}
