/// A weighted sum folded into the convolution that feeds it:
/// `output · outputScale + tensor · residualScale`, computed while the
/// convolution writes its output (RRDB blocks end with `0.2 · conv + x`),
/// instead of a separate `Eltwise` pass over both tensors.
struct ResidualSum {
    let tensor: Tensor
    let outputScale: Float
    let residualScale: Float
}
