import FuzzSupport
import RestoreKitCore

/// A safetensors file (diffusers weights, LoRAs), opened from disk as models are:
/// a file that opens describes tensors that tile its data section, each readable
/// as as many floats as its shape says; one that does not is refused with a
/// message naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.write(FuzzInput(data, size).bytes, to: "weights.safetensors")
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile(path: path)
    } catch {
        expectRefusal(error, of: "safetensors", kinds: [.model])
        return 0
    }
    var end = 0
    for tensor in file.tensors {
        precondition(tensor.dataOffsets.lowerBound == end, "safetensors: tensor '\(tensor.name)' does not start where the last ended")
        end = tensor.dataOffsets.upperBound
        precondition(tensor.count == tensor.shape.reduce(1, *), "safetensors: '\(tensor.name)' holds \(tensor.count) elements for shape \(tensor.shape)")
        checkFloats(of: tensor.name, count: tensor.count, what: "safetensors") { try file.floats(tensor.name) }
    }
    return 0
}
