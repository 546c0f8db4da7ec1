/// IEEE 754 binary16 → binary32, bit-exact for every input (subnormals,
/// infinities and NaN payloads included), without relying on the platform's
/// `Float16` support.
enum Float16Bits {
    static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24 is exact in binary32.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
        }
    }
}
