/// Stable Diffusion's text encoder as single-file checkpoints store it, read as
/// transformers' `CLIPTextModel` (`text_model.…` names, as `CLIPTextEncoder` reads).
///
/// SD 1.x (`cond_stage_model.transformer.`) holds OpenAI's CLIP ViT-L/14 text
/// model as transformers' `CLIPTextModel` already names it, or — in files from
/// older transformers versions — without the `text_model.` level. SD 2.x
/// (`cond_stage_model.model.`) holds OpenCLIP ViT-H/14 in OpenCLIP's names:
/// `token_embedding`, `positional_embedding` (a bare parameter), `ln_final`, and
/// `transformer.resblocks.i` with `ln_1`, `ln_2`, `mlp.c_fc`, `mlp.c_proj` and
/// `attn` as `nn.MultiheadAttention` — query, key and value fused into one
/// `in_proj_weight` `[3w, w]` and `in_proj_bias` `[3w]`, split here into three
/// row ranges. SD 2.x conditions on the penultimate layer's output (LDM's
/// `FrozenOpenCLIPEmbedder(layer="penultimate")`; diffusers' SD 2 text encoders
/// have 23 of ViT-H's 24 layers), so the last resblock is skipped.
struct LDMTextEncoderLayout {
    enum Kind {
        /// SD 1.x: transformers' CLIP text model.
        case clip
        /// SD 2.x: OpenCLIP's text tower.
        case openCLIP

        /// The encoder's prefix in a checkpoint.
        var prefix: String { self == .clip ? "cond_stage_model.transformer." : "cond_stage_model.model." }
    }

    let kind: Kind
    let vocabularySize: Int
    let width: Int
    let positions: Int
    let intermediateSize: Int
    /// Layers the pipeline runs (OpenCLIP: one fewer than the file holds).
    let layers: Int
    private let tensors: LDMComponentTensors
    /// The level SD 1.x names sit under: `text_model.`, or nothing in older files.
    private let clipBase: String

    /// Infers the sizes from the shapes of `tensors`.
    init(_ kind: Kind, _ tensors: LDMComponentTensors) throws {
        self.kind = kind
        self.tensors = tensors
        clipBase = tensors.has("embeddings.token_embedding.weight") ? "" : "text_model."
        let tokens, position, fc1: String
        switch kind {
        case .clip:
            (tokens, position, fc1) = (clipBase + "embeddings.token_embedding.weight", clipBase + "embeddings.position_embedding.weight",
                                       clipBase + "encoder.layers.0.mlp.fc1.weight")
            layers = try tensors.indices(clipBase + "encoder.layers").count
        case .openCLIP:
            (tokens, position, fc1) = ("token_embedding.weight", "positional_embedding", "transformer.resblocks.0.mlp.c_fc.weight")
            layers = try tensors.indices("transformer.resblocks").count - 1
        }
        let embedding = try tensors.shape(tokens, rank: 2, "the vocabulary and width")
        (vocabularySize, width) = (embedding[0], embedding[1])
        positions = try tensors.shape(position, rank: 2, "the token positions")[0]
        intermediateSize = try tensors.shape(fc1, rank: 2, "the MLP width")[0]
        guard layers >= 1 else { throw tensors.error(fc1, "belongs to too few layers to run") }
    }

    /// transformers' `config.json` for this text model; `heads` nil gives CLIP's 64-channel heads.
    func config(heads: Int?) throws -> JSONValue {
        let heads = heads ?? width / 64
        guard heads > 0, width % heads == 0 else {
            throw RestoreError(.invalidArgument, "'\(tensors.file)': \(heads) attention heads do not divide the text width \(width)")
        }
        func number(_ n: Int) -> JSONValue { .number(Double(n)) }
        return .object([
            "architectures": .array([.string("CLIPTextModel")]),
            "model_type": .string("clip_text_model"),
            "vocab_size": number(vocabularySize),
            "hidden_size": number(width),
            "intermediate_size": number(intermediateSize),
            // The width of CLIP's text projection, which CLIPTextModel does not have; ViT-L/14's and ViT-H/14's are square.
            "projection_dim": number(width),
            "num_hidden_layers": number(layers),
            "num_attention_heads": number(heads),
            "max_position_embeddings": number(positions),
            "hidden_act": .string(kind == .clip ? "quick_gelu" : "gelu"),
            "layer_norm_eps": .number(1e-5),
            "attention_dropout": .number(0),
            "initializer_factor": .number(1),
            "initializer_range": .number(0.02),
            // CLIP's start and end tokens; SD 1.x's tokenizer pads with the end token, SD 2.x's with "!" (0).
            "bos_token_id": number(49406),
            "eos_token_id": number(49407),
            "pad_token_id": number(kind == .clip ? 49407 : 0),
        ])
    }

    /// The tensors under transformers' names.
    func weights() throws -> WeightStore {
        try tensors.store("text encoder") { name, tensor in
            switch kind {
            case .clip: return [(clipName(name), tensor)]
            case .openCLIP: return try openCLIPEntries(name, tensor)
            }
        }
    }

    /// An SD 1.x name with the `text_model.` level older files lack.
    private func clipName(_ name: String) -> String {
        clipBase.isEmpty ? "text_model." + name : name
    }

    /// The transformers tensors an OpenCLIP tensor becomes: none for the skipped
    /// last layer, three for a fused projection; nil for a name it does not know.
    private func openCLIPEntries(_ name: String, _ tensor: StoredTensor) throws -> [(name: String, tensor: StoredTensor)]? {
        switch name {
        case "token_embedding.weight": return [("text_model.embeddings.token_embedding.weight", tensor)]
        case "positional_embedding": return [("text_model.embeddings.position_embedding.weight", tensor)]
        case "ln_final.weight", "ln_final.bias": return [("text_model.final_layer_norm." + name.dropFirst("ln_final.".count), tensor)]
        default: break
        }
        let parts = name.split(separator: ".", maxSplits: 3).map(String.init)
        guard parts.count == 4, parts[0] == "transformer", parts[1] == "resblocks", let i = Int(parts[2]) else { return nil }
        if i == layers { return [] }
        guard i < layers else { return nil }
        let layer = "text_model.encoder.layers.\(i)."
        let renames = ["ln_1.": "layer_norm1.", "ln_2.": "layer_norm2.", "attn.out_proj.": "self_attn.out_proj.",
                       "mlp.c_fc.": "mlp.fc1.", "mlp.c_proj.": "mlp.fc2."]
        for (old, new) in renames where parts[3].hasPrefix(old) {
            return [(layer + new + parts[3].dropFirst(old.count), tensor)]
        }
        guard parts[3] == "attn.in_proj_weight" || parts[3] == "attn.in_proj_bias" else { return nil }
        let kind = parts[3].hasSuffix("weight") ? "weight" : "bias"
        let expected = kind == "weight" ? [3 * width, width] : [3 * width]
        guard tensor.shape == expected else {
            throw tensors.error(name, "has shape \(tensor.shape), expected \(expected): query, key and value of width \(width)")
        }
        return try ["q_proj", "k_proj", "v_proj"].enumerated().map { n, projection in
            guard let rows = tensor.rows(n * width ..< (n + 1) * width) else {
                throw tensors.error(name, "cannot be split into three row ranges")
            }
            return (layer + "self_attn.\(projection).\(kind)", rows)
        }
    }
}
