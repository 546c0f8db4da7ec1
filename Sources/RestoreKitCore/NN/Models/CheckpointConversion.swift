/// Converts a legacy PyTorch checkpoint into a safetensors file, once, when
/// the models are fetched: running a network then maps the safetensors file and needs
/// neither Python nor torch nor the pickle reader.
public enum CheckpointConversion {
    /// The prefix `torch.nn.DataParallel` puts before every state-dict key;
    /// dropped, so the names are those of the bare network.
    static let dataParallelPrefix = "module."

    /// The safetensors image of the checkpoint `bytes` (`file` names it in
    /// messages): every tensor as F32 under its state-dict name without the
    /// DataParallel prefix, in the state dict's order; `metadata` plus the
    /// checkpoint's sha256 (`source_sha256`) as `__metadata__`.
    public static func safeTensors(checkpoint bytes: [UInt8], file: String,
                                   metadata: [String: String]) throws -> [UInt8] {
        let checkpoint = try TorchLegacyCheckpoint(bytes: bytes, file: file)
        var writer = SafeTensorsWriter()
        for tensor in checkpoint.tensors {
            let name = tensor.name.hasPrefix(dataParallelPrefix)
                ? String(tensor.name.dropFirst(dataParallelPrefix.count)) : tensor.name
            do {
                try writer.add(name, shape: tensor.shape, values: tensor.values)
            } catch let error as RestoreError {
                throw RestoreError(.model, "'\(file)': \(error.message)")
            }
        }
        var all = metadata
        all["source_sha256"] = SHA256.hex(bytes)
        return writer.bytes(metadata: all)
    }
}
