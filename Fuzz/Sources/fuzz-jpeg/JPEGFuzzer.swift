import FuzzSupport
import RestoreKitCore

/// JPEG decoding through libjpeg-turbo and RestoreKit's codec: a file that
/// decodes has the samples its size says, all in 0…1, quantisation tables of 64
/// steps, and encodes again; one that does not is refused with a message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    let decoded: DecodedImage
    do {
        decoded = try JPEGCodec.decode(bytes, limits: fuzzLimits)
    } catch {
        expectRefusal(error, of: "JPEG", kinds: [.decodeFailed, .imageTooLarge, .invalidArgument])
        return 0
    }
    checkSamples(decoded.image, "JPEG")
    if let info = decoded.jpeg {
        precondition(info.tables.allSatisfy { $0 == nil || $0!.count == 64 }, "JPEG: a quantisation table without 64 steps")
        precondition(info.componentTables.count == info.samplingFactors.count, "JPEG: components disagree")
    }
    do {
        let again = try JPEGCodec.decode(try JPEGCodec.encode(decoded.image, quality: 90))
        precondition(again.image.width == decoded.image.width && again.image.height == decoded.image.height,
                     "JPEG: re-encoding changed the size")
    } catch {
        fatalError("JPEG: a decoded image does not encode and decode again: \(error)")
    }
    return 0
}
