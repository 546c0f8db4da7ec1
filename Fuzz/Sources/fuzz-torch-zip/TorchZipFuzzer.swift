import FuzzSupport
import RestoreKitCore

/// The zip `torch.save` reader (`.ckpt`, `.pt`, `.pth`): its zip directory, its
/// pickle (run symbolically, never as code) and its storages, from disk as models
/// are opened. A file that parses gives tensors readable as their shapes say; one
/// that does not is refused with a message naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.write(FuzzInput(data, size).bytes, to: "checkpoint.ckpt")
    let checkpoint: TorchZipCheckpoint
    do {
        checkpoint = try TorchZipCheckpoint(path: path)
    } catch {
        expectRefusal(error, of: "zip checkpoint", kinds: [.model, .unsupported])
        return 0
    }
    for (name, tensor) in checkpoint.tensors {
        precondition(tensor.count == tensor.shape.reduce(1, *), "zip checkpoint: '\(name)' has \(tensor.count) elements for shape \(tensor.shape)")
        checkFloats(of: name, count: tensor.count, what: "zip checkpoint") { try tensor.floats() }
    }
    return 0
}
