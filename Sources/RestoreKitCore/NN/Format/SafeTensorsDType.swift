/// The element types a safetensors header may name, with their sizes.
///
/// Every type of the format is recognised, so that a file whose weights are
/// floating point but which also holds, say, an I64 position table opens and
/// validates; values can be read as `Float` from F32, F16 and BF16 tensors.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
        case .u16, .i16, .f16, .bf16: 2
        case .u32, .i32, .f32: 4
        case .u64, .i64, .f64: 8
        }
    }

    /// Whether `SafeTensorsFile.floats` can decode this type.
    public var isReadableAsFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }

    /// The `index`-th element at `base` as a Float (F32, F16 or BF16 only; little-endian).
    func float(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        switch self {
        case .f32:
            return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        case .f16:
            return Float16Bits.toFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        case .bf16:
            // bfloat16 is the upper half of a binary32.
            let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            return Float(bitPattern: UInt32(bits) << 16)
        default:
            preconditionFailure("\(rawValue) is not a float type")
        }
    }
}
