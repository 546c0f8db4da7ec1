import FuzzSupport
import RestoreKitCore

/// The legacy (pre-1.6) `torch.save` reader and its pickle machine, which runs no
/// code: a file that parses gives tensors with as many values as their shapes
/// say; one that does not is refused with a message naming the byte.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchLegacy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let checkpoint: TorchLegacyCheckpoint
    do {
        checkpoint = try TorchLegacyCheckpoint(bytes: FuzzInput(data, size).bytes, file: "fuzz.pth")
    } catch {
        expectRefusal(error, of: "legacy checkpoint", kinds: [.model, .unsupported])
        return 0
    }
    for tensor in checkpoint.tensors {
        precondition(tensor.values.count == tensor.shape.reduce(1, *),
                     "legacy checkpoint: '\(tensor.name)' has \(tensor.values.count) values for shape \(tensor.shape)")
    }
    return 0
}
