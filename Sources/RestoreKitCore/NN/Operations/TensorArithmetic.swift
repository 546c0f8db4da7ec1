/// a + b element by element (tensors of the same shape).
func add(_ a: Tensor, _ b: Tensor, threads: Int = 1) throws -> Tensor {
    guard a.hasShape(of: b) else {
        throw RestoreError(.model, "cannot add \(a.shapeDescription) and \(b.shapeDescription)")
    }
    var b = b
    let out = b.isUniquelyReferenced() ? b : try Tensor(height: a.height, width: a.width, channels: a.channels)
    WorkSplit.forEachRange(a.count, threads: threads) { range in
        for i in range { out.pointer[i] = a.pointer[i] + b.pointer[i] }
    }
    return out
}

/// `x` with `vector[c]` added to channel c of every pixel (in place when `x` is not shared).
func addingChannelVector(_ x: Tensor, _ vector: [Float], threads: Int = 1) throws -> Tensor {
    guard vector.count == x.channels else {
        throw RestoreError(.model, "cannot add \(vector.count) values to the channels of \(x.shapeDescription)")
    }
    var x = x
    let out = x.isUniquelyReferenced() ? x : try Tensor(height: x.height, width: x.width, channels: x.channels)
    let c = x.channels
    WorkSplit.forEachRange(x.height * x.width, threads: threads, minimumChunk: max(1, 16384 / c)) { pixels in
        for p in pixels {
            for j in 0 ..< c { out.pointer[p * c + j] = x.pointer[p * c + j] + vector[j] }
        }
    }
    return out
}

/// a · gelu(gate) where the first half of `x`'s channels is a and the second the
/// gate: the gated GELU (GEGLU) of diffusion transformers' feed-forward layers.
func gatedGELU(_ x: Tensor, threads: Int = 1) throws -> Tensor {
    guard x.channels % 2 == 0 else { throw RestoreError(.model, "GEGLU needs an even channel count, not \(x.channels)") }
    let half = x.channels / 2
    let out = try Tensor(height: x.height, width: x.width, channels: half)
    WorkSplit.forEachRange(x.height * x.width, threads: threads, minimumChunk: max(1, 16384 / half)) { pixels in
        for p in pixels {
            let src = x.pointer + p * 2 * half, dst = out.pointer + p * half
            for j in 0 ..< half { dst[j] = src[half + j] }
            Activation.gelu.apply(dst, count: half)
            for j in 0 ..< half { dst[j] *= src[j] }
        }
    }
    return out
}
