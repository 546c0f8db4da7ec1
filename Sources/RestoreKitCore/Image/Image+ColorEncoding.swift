#if canImport(Glibc)
import Glibc
#endif

extension Image {
    /// The same image with its colour channels re-encoded as `target`
    /// (the IEC 61966-2-1 sRGB curve); alpha is unchanged.
    public func converted(to target: ColorEncoding) -> Image {
        guard target != encoding else { return self }
        var result = self
        result.encoding = target
        let n = layout.colorChannelCount * planeCount
        let toLinear = target == .linear
        result.samples.withUnsafeMutableBufferPointer { s in
            for i in 0 ..< n { s[i] = toLinear ? Image.linearFromSRGB(s[i]) : Image.sRGBFromLinear(s[i]) }
        }
        return result
    }

    /// sRGB-encoded value to linear light.
    @inlinable
    public static func linearFromSRGB(_ v: Float) -> Float {
        v <= 0.04045 ? v / 12.92 : powf((v + 0.055) / 1.055, 2.4)
    }

    /// Linear light to the sRGB-encoded value.
    @inlinable
    public static func sRGBFromLinear(_ v: Float) -> Float {
        v <= 0.0031308 ? v * 12.92 : 1.055 * powf(v, 1 / 2.4) - 0.055
    }
}
