import RestoreKitCore

/// `rkbench sd text MODEL_DIR (--prompt TEXT | --tokens F.npy) --out F.npy`: the
/// hidden states the pipeline feeds the UNet (1 × tokens × width), for a prompt
/// (tokenized by the folder's tokenizer, 77 tokens) or for the token ids in F.npy
/// (shape (1, N) or (N,)).
func sdText(_ arguments: SDArguments) throws {
    let tokens: [Int]
    if let prompt = arguments["prompt"] {
        tokens = try CLIPTokenizer(folder: arguments.model() + "/tokenizer").encode(prompt)
    } else {
        tokens = try NPYArray.read(arguments.required("tokens")).values.map { Int($0) }
    }
    let threads = try arguments.threads()
    let encoder = try CLIPTextEncoder(folder: arguments.model() + "/text_encoder", variant: arguments["variant"],
                                      loras: arguments.loras())
    let hidden = try sdTimed(arguments) { try encoder.encode(tokens, threads: threads) }
    try NPYArray(shape: [1, hidden.width, hidden.channels], values: hidden.interleaved())
        .write(to: arguments.required("out"))
}
