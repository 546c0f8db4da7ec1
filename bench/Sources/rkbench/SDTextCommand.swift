import RestoreKitCore

/// `rkbench sd text MODEL_DIR --tokens F.npy --out F.npy`: the hidden states
/// the pipeline feeds the UNet (1 × tokens × width) for the token ids in F.npy
/// (shape (1, N) or (N,)).
func sdText(_ arguments: SDArguments) throws {
    let ids = try NPYArray.read(arguments.required("tokens"))
    let tokens = ids.values.map { Int($0) }
    let threads = try arguments.threads()
    let encoder = try CLIPTextEncoder(folder: arguments.model() + "/text_encoder", variant: arguments["variant"], loras: arguments.loras())
    let hidden = try sdTimed(arguments) { try encoder.encode(tokens, threads: threads) }
    try NPYArray(shape: [1, hidden.width, hidden.channels], values: hidden.interleaved())
        .write(to: arguments.required("out"))
}
