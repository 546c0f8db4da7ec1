/// CLIP's text transformer as `transformers.CLIPTextModel` computes it: token and
/// position embeddings, pre-norm layers of causal self-attention and an MLP,
/// and the final layer norm. Its last hidden state (tokens × width) is what
/// Stable Diffusion pipelines feed the UNet's cross-attention.
///
/// SD 1.x uses OpenAI's CLIP ViT-L/14 text model (12 layers of 768,
/// quick-GELU); SD 2.x OpenCLIP ViT-H/14's (23 of its 24 layers of 1024, GELU).
/// Every size is read from the configuration.
public final class CLIPTextEncoder: Sendable {
    /// The configuration a `text_encoder/config.json` gives.
    public struct Configuration: Sendable, Equatable {
        public var vocabularySize: Int
        public var width: Int
        public var intermediateSize: Int
        public var layers: Int
        public var heads: Int
        public var positions: Int
        public var activation: String
        public var epsilon: Float

        /// Reads `config.json` (transformers' `CLIPTextConfig`, with its defaults).
        init(_ component: DiffusersComponent) throws {
            vocabularySize = try component.integer("vocab_size", default: 49408)
            width = try component.integer("hidden_size", default: 512)
            intermediateSize = try component.integer("intermediate_size", default: 2048)
            layers = try component.integer("num_hidden_layers", default: 12)
            heads = try component.integer("num_attention_heads", default: 8)
            positions = try component.integer("max_position_embeddings", default: 77)
            activation = try component.string("hidden_act", default: "quick_gelu")
            epsilon = Float(try component.number("layer_norm_eps", default: 1e-5))
            let sizes = [vocabularySize, width, intermediateSize, layers, heads, positions]
            guard sizes.allSatisfy({ (1 ... 1 << 20).contains($0) }), width % heads == 0 else {
                throw RestoreError(.model, "'\(component.path)/config.json': sizes \(sizes) are out of range or the width is not divisible by the heads")
            }
        }
    }

    private struct EncoderLayer: Sendable {
        let norm1: LayerNorm
        let query, key, value, output: Linear
        let norm2: LayerNorm
        let fc1, fc2: Linear
    }

    public let configuration: Configuration
    private let tokenEmbedding: [Float]
    private let positionEmbedding: [Float]
    private let layers: [EncoderLayer]
    private let finalNorm: LayerNorm

    /// Tensors transformers' checkpoints carry that the text model never reads:
    /// the position-id buffer, and the projection heads of
    /// `CLIPTextModelWithProjection` / the full CLIP model.
    static func isUnused(_ name: String) -> Bool {
        name.hasSuffix("position_ids") || name.hasPrefix("text_projection.") || name == "logit_scale"
    }

    /// The text encoder of a diffusers `text_encoder/` folder, with `loras` merged
    /// at their scales.
    public convenience init(folder: String, variant: String? = nil, loras: [(LoRA, scale: Float)] = []) throws {
        try self.init(component: DiffusersComponent(path: folder, variant: variant), loras: loras)
    }

    /// The text encoder of `component`, with `loras` merged at their scales.
    convenience init(component: DiffusersComponent, loras: [(LoRA, scale: Float)] = []) throws {
        for (lora, scale) in loras { try lora.merge(into: component.weights, target: .textEncoder, scale: scale) }
        try self.init(configuration: Configuration(component), weights: component.weights)
        try component.weights.finish(unused: Self.isUnused)
    }

    /// The text encoder of `configuration` with weights named as transformers
    /// names them (`text_model.…`).
    init(configuration c: Configuration, weights: WeightStore) throws {
        configuration = c
        let activation: Activation
        switch c.activation {
        case "quick_gelu": activation = .quickGELU
        case "gelu": activation = .gelu
        default: throw RestoreError(.unsupported, "\(weights.source): text encoder activation '\(c.activation)' is not supported (quick_gelu, gelu)")
        }
        func linear(_ name: String, _ inputs: Int, _ outputs: Int, _ activation: Activation = .identity) throws -> Linear {
            try weights.linear(name, inputs, outputs, activation: activation)
        }
        func norm(_ name: String) throws -> LayerNorm { try weights.layerNorm(name, c.width, epsilon: c.epsilon) }
        tokenEmbedding = try weights.take("text_model.embeddings.token_embedding.weight", shape: [c.vocabularySize, c.width])
        positionEmbedding = try weights.take("text_model.embeddings.position_embedding.weight", shape: [c.positions, c.width])
        layers = try (0 ..< c.layers).map { i in
            let p = "text_model.encoder.layers.\(i)."
            return EncoderLayer(
                norm1: try norm(p + "layer_norm1"),
                query: try linear(p + "self_attn.q_proj", c.width, c.width),
                key: try linear(p + "self_attn.k_proj", c.width, c.width),
                value: try linear(p + "self_attn.v_proj", c.width, c.width),
                output: try linear(p + "self_attn.out_proj", c.width, c.width),
                norm2: try norm(p + "layer_norm2"),
                fc1: try linear(p + "mlp.fc1", c.width, c.intermediateSize, activation),
                fc2: try linear(p + "mlp.fc2", c.intermediateSize, c.width))
        }
        finalNorm = try norm("text_model.final_layer_norm")
    }

    /// The last hidden state for `tokens` (at most `positions` ids): a 1 × tokens ×
    /// width tensor.
    public func encode(_ tokens: [Int], threads: Int) throws -> Tensor {
        let c = configuration
        guard !tokens.isEmpty, tokens.count <= c.positions else {
            throw RestoreError(.invalidArgument, "the text encoder takes 1 to \(c.positions) tokens, not \(tokens.count)")
        }
        if let bad = tokens.first(where: { !(0 ..< c.vocabularySize).contains($0) }) {
            throw RestoreError(.invalidArgument, "token id \(bad) is outside the vocabulary of \(c.vocabularySize)")
        }
        BLAS.useCallingThreadOnly()
        var x = try Tensor(height: 1, width: tokens.count, channels: c.width)
        for (i, token) in tokens.enumerated() {
            for j in 0 ..< c.width {
                x.pointer[i * c.width + j] = tokenEmbedding[token * c.width + j] + positionEmbedding[i * c.width + j]
            }
        }
        for layer in layers {
            let h = try layer.norm1(x, threads: threads)
            let attended = try Attention.multiHead(q: layer.query(h, threads: threads), k: layer.key(h, threads: threads),
                                                   v: layer.value(h, threads: threads), heads: c.heads, causal: true,
                                                   threads: threads)
            x = try add(x, layer.output(attended, threads: threads))
            let m = try layer.fc2(layer.fc1(layer.norm2(x, threads: threads), threads: threads), threads: threads)
            x = try add(x, m)
        }
        return try finalNorm(x, threads: threads)
    }
}
