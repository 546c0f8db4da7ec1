import RestoreKitCore

/// `rkbench sd tokens MODEL_DIR (--prompt TEXT | --prompts FILE) --out F.npy`: the
/// token ids of the model's CLIP tokenizer (MODEL_DIR/tokenizer), as float32 of shape
/// (N, model_max_length), one row per prompt; FILE is a JSON array of strings. With
/// `--bpe-merges FILE [--pad-token TOKEN]` instead of MODEL_DIR, the tokenizer is built
/// from a merges list alone; with `--checkpoint FILE [--models DIR]`, it is the one a
/// single-file checkpoint gets: CLIP's vocabulary from the models folder (default:
/// $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models), padded as the checkpoint's
/// version pads (the `weights` command's options read the file). Prints the seconds the
/// tokenizing took.
func sdTokens(_ arguments: SDArguments) throws {
    let tokenizer: CLIPTokenizer
    if let file = arguments["checkpoint"] {
        let checkpoint = try SingleFileCheckpoint(path: file, options: arguments.checkpointOptions())
        tokenizer = try checkpoint.tokenizer(models: ModelDirectory(path: arguments["models"] ?? ModelDirectory.defaultPath))
    } else if let merges = arguments["bpe-merges"] {
        tokenizer = try CLIPTokenizer(mergesList: try FileIO.read(merges), file: merges,
                                      padToken: arguments["pad-token"] ?? CLIPTokenizer.endOfText)
    } else {
        tokenizer = try CLIPTokenizer(folder: try arguments.model() + "/tokenizer")
    }
    let prompts: [String]
    if let file = arguments["prompts"] {
        guard let list = try JSONValue.read(file).array else {
            throw RestoreError(.invalidArgument, "'\(file)' is not a JSON array of prompts")
        }
        prompts = try list.map {
            guard let prompt = $0.string else {
                throw RestoreError(.invalidArgument, "'\(file)' holds \($0.kindDescription), not a prompt")
            }
            return prompt
        }
    } else {
        prompts = [try arguments.required("prompt")]
    }
    let out = try arguments.required("out")
    let ids = try sdTimed(arguments) { tokenizer.encode(prompts) }
    try NPYArray(shape: [prompts.count, tokenizer.maximumLength], values: ids.joined().map { Float($0) }).write(to: out)
}
