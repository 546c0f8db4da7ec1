/// Group normalisation: the channels split into `groups` groups, each
/// normalised over all its channels and pixels, then scaled and shifted per
/// channel (PyTorch's `nn.GroupNorm`), optionally followed by an activation
/// (diffusion UNets and VAEs follow almost every norm with SiLU).
public struct GroupNorm: Sendable {
    public let groups: Int
    public let channels: Int
    let weight: [Float]
    let bias: [Float]
    let epsilon: Float
    let activation: Activation

    init(groups: Int, channels: Int, weight: [Float], bias: [Float], epsilon: Float,
         activation: Activation = .identity) throws {
        guard groups > 0, channels % groups == 0, weight.count == channels, bias.count == channels else {
            throw RestoreError(.model, "a group norm of \(groups) groups over \(channels) channels needs a channel count divisible by the groups and \(channels) weights and biases, not \(weight.count) and \(bias.count)")
        }
        self.groups = groups
        self.channels = channels
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
        self.activation = activation
    }

    /// What normalising a given map amounts to: a scale and a shift per channel
    /// (the group's mean and deviation folded into the norm's weight and bias).
    struct Normalization: Sendable {
        let scale: [Float]
        let shift: [Float]
    }

    func callAsFunction(_ x: Tensor, threads: Int) throws -> Tensor {
        try callAsFunction(x, normalization(of: x, threads: threads), threads: threads)
    }

    /// The normalisation of `x`, from its statistics over all its pixels: a map
    /// evaluated in bands applies it to each band, exactly as to the whole map.
    func normalization(of x: Tensor, threads: Int) throws -> Normalization {
        guard x.channels == channels else {
            throw RestoreError(.model, "a group norm of \(channels) channels was given \(x.channels)")
        }
        let c = channels, pixels = x.height * x.width
        // Per-channel sums in double over chunks of pixels, then per group. The
        // chunks do not depend on the thread count, so neither does the result.
        let chunks = max(1, min(16, pixels / 256))
        let size = (pixels + chunks - 1) / chunks
        var partial = [Double](repeating: 0, count: chunks * c * 2)
        partial.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            parallelFor(chunks, threads: threads) { chunk in
                let s = sums + chunk * c * 2, q = s + c
                for p in chunk * size ..< min(pixels, (chunk + 1) * size) {
                    let row = x.pointer + p * c
                    for j in 0 ..< c {
                        let v = Double(row[j])
                        s[j] += v
                        q[j] += v * v
                    }
                }
            }
        }
        let perGroup = c / groups, n = Double(pixels * perGroup)
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for g in 0 ..< groups {
            var sum = 0.0, squares = 0.0
            for chunk in 0 ..< chunks {
                for j in g * perGroup ..< (g + 1) * perGroup {
                    sum += partial[chunk * c * 2 + j]
                    squares += partial[chunk * c * 2 + c + j]
                }
            }
            let mean = sum / n, variance = max(0, squares / n - mean * mean)
            let inverse = 1 / (variance + Double(epsilon)).squareRoot()
            for j in g * perGroup ..< (g + 1) * perGroup {
                scale[j] = Float(inverse * Double(weight[j]))
                shift[j] = Float(Double(bias[j]) - mean * inverse * Double(weight[j]))
            }
        }
        return Normalization(scale: scale, shift: shift)
    }

    /// `x` normalised by `normalization` (of `x` or of a map `x` is part of), then activated.
    func callAsFunction(_ x: Tensor, _ normalization: Normalization, threads: Int) throws -> Tensor {
        guard x.channels == channels else {
            throw RestoreError(.model, "a group norm of \(channels) channels was given \(x.channels)")
        }
        let c = channels, pixels = x.height * x.width
        let scale = normalization.scale, shift = normalization.shift
        let out = try Tensor(height: x.height, width: x.width, channels: c)
        WorkSplit.forEachRange(pixels, threads: threads, minimumChunk: max(1, 16384 / c)) { range in
            for p in range {
                let src = x.pointer + p * c, dst = out.pointer + p * c
                for j in 0 ..< c { dst[j] = src[j] * scale[j] + shift[j] }
                activation.apply(dst, count: c)
            }
        }
        return out
    }
}
