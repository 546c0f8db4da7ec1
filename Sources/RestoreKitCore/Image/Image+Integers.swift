/// Exact conversions between float samples and 8- or 16-bit integers.
///
/// An integer v of depth d maps to v / (2^d − 1); a float maps back to the
/// nearest integer after clamping to [0, 1] (NaN becomes 0). The round trip
/// integer → float → integer is the identity at both depths.
extension Image {
    /// An image from interleaved 8-bit samples (`layout.channelCount` per pixel).
    public init(interleaved8 data: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                layout: PixelLayout, limits: ImageLimits = .default) throws {
        try self.init(width: width, height: height, layout: layout, limits: limits)
        try fill(from: data, maximum: 255)
    }

    /// An image from interleaved 16-bit samples (`layout.channelCount` per pixel).
    public init(interleaved16 data: UnsafeBufferPointer<UInt16>, width: Int, height: Int,
                layout: PixelLayout, limits: ImageLimits = .default) throws {
        try self.init(width: width, height: height, layout: layout, limits: limits)
        try fill(from: data, maximum: 65535)
    }

    /// Interleaved 8-bit samples, rounded to nearest.
    public func interleaved8() -> [UInt8] { interleaved(maximum: 255) }

    /// Interleaved 16-bit samples, rounded to nearest.
    public func interleaved16() -> [UInt16] { interleaved(maximum: 65535) }

    private mutating func fill<T: BinaryInteger>(from data: UnsafeBufferPointer<T>,
                                                 maximum: Float) throws {
        let channels = layout.channelCount, n = planeCount
        guard data.count == n * channels else {
            throw RestoreError(.invalidArgument,
                "\(data.count) samples do not fill a \(width) × \(height) \(layout.name) image")
        }
        samples.withUnsafeMutableBufferPointer { out in
            for c in 0 ..< channels {
                let plane = c * n
                for i in 0 ..< n { out[plane + i] = Float(data[i * channels + c]) / maximum }
            }
        }
    }

    private func interleaved<T: FixedWidthInteger & UnsignedInteger>(maximum: Float) -> [T] {
        let channels = layout.channelCount, n = planeCount
        return [T](unsafeUninitializedCapacity: n * channels) { out, count in
            samples.withUnsafeBufferPointer { src in
                for c in 0 ..< channels {
                    let plane = c * n
                    for i in 0 ..< n {
                        out[i * channels + c] = T(quantize(src[plane + i], maximum))
                    }
                }
            }
            count = n * channels
        }
    }
}

/// `value` clamped to [0, 1], scaled by `maximum` and rounded half away from zero.
@inline(__always)
func quantize(_ value: Float, _ maximum: Float) -> UInt32 {
    // `!(value > 0)` also catches NaN.
    if !(value > 0) { return 0 }
    if value >= 1 { return UInt32(maximum) }
    return UInt32(value * maximum + 0.5)
}
