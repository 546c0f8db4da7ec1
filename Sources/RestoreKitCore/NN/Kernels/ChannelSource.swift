/// A run of consecutive channels of one tensor, read as part of a larger
/// channel list: the input of a convolution is one tensor, a channel group of
/// one (grouped convolutions), or several tensors side by side (a `Concat`
/// folded into the convolution that consumes it).
struct ChannelSource {
    let tensor: Tensor
    /// First channel taken from `tensor`.
    let first: Int
    /// Channels taken.
    let count: Int

    /// The values of pixel (x, y) that this source contributes.
    @inline(__always)
    func pixel(_ x: Int, _ y: Int) -> UnsafeMutablePointer<Float> {
        tensor.pointer + (y * tensor.width + x) * tensor.channels + first
    }

    /// The whole tensors of `parts`, one after the other.
    static func concatenation(_ parts: [Tensor]) -> [ChannelSource] {
        parts.map { ChannelSource(tensor: $0, first: 0, count: $0.channels) }
    }
}
