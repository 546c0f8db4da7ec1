import FuzzSupport
import RestoreKitCore

/// PNG decoding through libpng and RestoreKit's codec: a file that decodes has
/// the samples its size says, all in 0…1, and encodes and decodes back to the
/// same samples at its bit depth; one that does not is refused with a message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    let decoded: DecodedImage
    do {
        decoded = try PNGCodec.decode(bytes, limits: fuzzLimits)
    } catch {
        expectRefusal(error, of: "PNG", kinds: [.decodeFailed, .imageTooLarge, .invalidArgument])
        return 0
    }
    checkSamples(decoded.image, "PNG")
    let bitDepth = decoded.bitDepth > 8 ? 16 : 8
    do {
        let again = try PNGCodec.decode(try PNGCodec.encode(decoded.image, bitDepth: bitDepth, iccProfile: decoded.iccProfile))
        precondition(again.image == decoded.image, "PNG: re-encoding at \(bitDepth) bits changed the pixels")
        precondition(again.iccProfile == decoded.iccProfile, "PNG: re-encoding lost the ICC profile")
    } catch {
        fatalError("PNG: a decoded image does not round-trip: \(error)")
    }
    return 0
}
