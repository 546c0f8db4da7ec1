/// Conversions between float32 and the 16-bit formats model files store
/// (IEEE binary16 "fp16" and bfloat16), in bulk and with SIMD, for weights kept
/// in 16 bits and widened where a kernel reads them.
enum HalfPrecision {
    /// Widens `count` binary16 values to float32, exactly (subnormals,
    /// infinities and NaN included).
    static func widen(float16 source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let out = UnsafeMutableRawPointer(destination)
        while i + 8 <= count {
            let h = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<UInt16>.self))
            out.storeBytes(of: widen8(h), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            destination[i] = Float16Bits.toFloat(source[i])
            i += 1
        }
    }

    /// Eight binary16 values (in the low halves) as float32.
    @inline(__always)
    private static func widen8(_ h: SIMD8<UInt32>) -> SIMD8<Float> {
        let sign = (h & 0x8000) &<< 16
        let magnitude = h & 0x7FFF
        // Normal numbers: rebias the exponent (15 → 127) and widen the mantissa.
        var bits = (magnitude &<< 13) &+ SIMD8(repeating: UInt32(112) << 23)
        // Infinity and NaN keep an all-ones exponent.
        bits.replace(with: bits | 0x7F80_0000, where: magnitude .>= 0x7C00)
        // Zero and subnormals: mantissa × 2⁻²⁴, exact in float32.
        let small = SIMD8<Float>(magnitude) * 0x1p-24
        bits.replace(with: unsafeBitCast(small, to: SIMD8<UInt32>.self), where: magnitude .< 0x0400)
        return unsafeBitCast(bits | sign, to: SIMD8<Float>.self)
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
