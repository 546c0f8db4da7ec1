/// Unaligned SIMD loads and stores of floats for the hot loops whose rows start
/// at any float (the denoiser's patches and spectra, Winograd tiles in HWC
/// tensors): `loadUnaligned` / `storeBytes` compile to plain unaligned vector
/// moves.

/// Four floats from `p + offset`, any address.
@inline(__always)
func load4(_ p: UnsafePointer<Float>, _ offset: Int = 0) -> SIMD4<Float> {
    UnsafeRawPointer(p + offset).loadUnaligned(as: SIMD4<Float>.self)
}

/// Eight floats from `p + offset`, any address.
@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ offset: Int = 0) -> SIMD8<Float> {
    UnsafeRawPointer(p + offset).loadUnaligned(as: SIMD8<Float>.self)
}

/// Four floats to `p + offset`, any address.
@inline(__always)
func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ offset: Int = 0) {
    UnsafeMutableRawPointer(p + offset).storeBytes(of: v, as: SIMD4<Float>.self)
}

/// Eight floats to `p + offset`, any address.
@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ offset: Int = 0) {
    UnsafeMutableRawPointer(p + offset).storeBytes(of: v, as: SIMD8<Float>.self)
}
