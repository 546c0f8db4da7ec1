@testable import RestoreKitCore
import FuzzSupport

/// An ncnn network, `.param` text then `.bin` bytes: loading parses the
/// description, builds every layer and reads its weights; a network that loads
/// runs on a small input of the channels it declares. Anything malformed, unknown
/// or inconsistent is refused with a message naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNCNN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = FuzzInput(data, size).parts(2)
    let param = String(decoding: parts[0], as: UTF8.self)
    let network: Network
    let description: NCNNParamFile
    do {
        network = try Network(param: param, weights: parts[1], paramFile: "fuzz.param", weightsFile: "fuzz.bin")
        description = try NCNNParamFile(text: param, file: "fuzz.param")
    } catch {
        expectRefusal(error, of: "ncnn load", kinds: [.model, .unsupported])
        return 0
    }
    guard let output = description.layers.last?.tops.first else { return 0 }
    do {
        var inputs: [String: Tensor] = [:]
        for layer in description.layers where layer.type == "Input" {
            let channels = layer.params.int(2, 0) > 0 ? layer.params.int(2, 0) : 3
            guard channels <= 64 else { return 0 }
            inputs[layer.tops[0]] = try Tensor(height: 9, width: 8, channels: channels, repeating: 0.5)
        }
        _ = try network.forward(inputs, output: output, threads: 1)
    } catch {
        expectRefusal(error, of: "ncnn forward", kinds: [.model, .unsupported, .invalidArgument, .outOfMemory])
    }
    return 0
}
