/// Conversions between float32 and the 16-bit formats model files store
/// (IEEE binary16 "fp16" and bfloat16), in bulk and with SIMD, for weights kept
/// in 16 bits and widened where a kernel reads them.
enum HalfPrecision {
    /// Widens `count` binary16 values to float32, exactly (subnormals,
    /// infinities and NaN included). Branch-free so the compiler vectorises it.
    static func widen(float16 source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let h = UInt32(source[i])
            let magnitude = h & 0x7FFF
            // Normal numbers: rebias the exponent (15 → 127) and widen the mantissa;
            // infinity and NaN keep an all-ones exponent; zero and subnormals are
            // mantissa × 2⁻²⁴, exact in float32.
            let normal = (magnitude &<< 13) &+ (112 << 23)
            let large = magnitude >= 0x7C00 ? normal | 0x7F80_0000 : normal
            let bits = magnitude < 0x0400 ? (Float(magnitude) * 0x1p-24).bitPattern : large
            destination[i] = Float(bitPattern: bits | (h & 0x8000) &<< 16)
        }
    }

    /// Widens `count` bfloat16 values (the upper halves of float32) to float32.
    static func widen(bfloat16 source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count { destination[i] = Float(bitPattern: UInt32(source[i]) << 16) }
    }

    /// The binary16 bits of `value` when it is exactly representable, else nil.
    static func float16(exactly value: Float) -> UInt16? {
        let bits = value.bitPattern, sign = UInt16(bits >> 16) & 0x8000
        let magnitude = abs(value)
        if magnitude == 0 { return sign }
        if !magnitude.isFinite {
            return magnitude.isNaN ? nil : sign | 0x7C00
        }
        let exponent = Int(bits >> 23 & 0xFF) - 127
        if exponent >= -14 {
            guard exponent <= 15, bits & 0x1FFF == 0 else { return nil }
            return sign | UInt16(exponent + 15) << 10 | UInt16(bits >> 13 & 0x3FF)
        }
        let scaled = magnitude * 0x1p24
        guard scaled == scaled.rounded(), scaled < 1024 else { return nil }
        return sign | UInt16(scaled)
    }
}
