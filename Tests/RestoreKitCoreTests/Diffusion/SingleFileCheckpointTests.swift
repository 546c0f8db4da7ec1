import Foundation
import Testing
@testable import RestoreKitCore

@Suite struct SingleFileCheckpointTests {
    static let options = SingleFileCheckpoint.Options(prediction: .v, imageSize: 16, unetHeads: .channels(4), textHeads: 2)

    /// Opens the tiny checkpoint, `edit`ed, from a file.
    static func open(_ edit: (inout [(name: String, shape: [Int])]) -> Void = { _ in }) throws -> SingleFileCheckpoint {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(TinyLDMCheckpoint.bytes(edit), to: folder + "/tiny.safetensors")
        return try SingleFileCheckpoint(path: folder + "/tiny.safetensors", options: options)
    }

    static func expectRejected(_ phrase: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws -> Void) {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.kind == .model, sourceLocation: sourceLocation)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
    }

    /// The file's values of LDM tensor `name`, by the counting-up rule of `TinyLDMCheckpoint`.
    static func values(of name: String) -> [Float] {
        var next: Float = 0
        for (other, shape) in TinyLDMCheckpoint.shapes() {
            let count = shape.reduce(1, *)
            if other == name { return (0 ..< count).map { next + Float($0) } }
            next += Float(count)
        }
        return []
    }

    @Test func infersTheConfigurationsFromShapes() throws {
        let checkpoint = try Self.open()
        #expect(checkpoint.version == .sd2)
        let unet = checkpoint.unet.config
        #expect(unet["block_out_channels"] == .array([.number(8), .number(8)]))
        #expect(unet["layers_per_block"] == .number(1))
        #expect(unet["down_block_types"] == .array([.string("CrossAttnDownBlock2D"), .string("DownBlock2D")]))
        #expect(unet["up_block_types"] == .array([.string("UpBlock2D"), .string("CrossAttnUpBlock2D")]))
        #expect(unet["attention_head_dim"] == .array([.number(2), .number(2)]))
        #expect(unet["use_linear_projection"] == .bool(true))
        #expect(unet["cross_attention_dim"] == .number(8))
        #expect(unet["sample_size"] == .number(8))
        #expect(checkpoint.vae.config["block_out_channels"] == .array([.number(8), .number(8)]))
        #expect(checkpoint.vae.config["latent_channels"] == .number(4))
        #expect(checkpoint.textEncoder.config["num_hidden_layers"] == .number(1))
        #expect(checkpoint.textEncoder.config["num_attention_heads"] == .number(2))
        #expect(checkpoint.textEncoder.config["hidden_act"] == .string("gelu"))
        #expect(checkpoint.scheduler["prediction_type"] == .string("v_prediction"))
    }

    @Test func rewritesSplitsAndReshapesAsViews() throws {
        let checkpoint = try Self.open()
        let text = checkpoint.textEncoder.weights
        let fused = Self.values(of: "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight")
        for (n, projection) in ["q_proj", "k_proj", "v_proj"].enumerated() {
            #expect(try text.take("text_model.encoder.layers.0.self_attn.\(projection).weight", shape: [8, 8])
                == Array(fused[n * 64 ..< (n + 1) * 64]))
        }
        #expect(!text.contains("text_model.encoder.layers.1.layer_norm1.weight"))
        let vae = checkpoint.vae.weights
        #expect(try vae.take("decoder.mid_block.attentions.0.to_out.0.weight", shape: [8, 8])
            == Self.values(of: "first_stage_model.decoder.mid.attn_1.proj_out.weight"))
        #expect(vae.contains("decoder.up_blocks.0.upsamplers.0.conv.weight"))
        #expect(vae.contains("encoder.conv_norm_out.bias"))
        let unet = checkpoint.unet.weights
        #expect(try unet.take("up_blocks.0.upsamplers.0.conv.bias", shape: [8])
            == Self.values(of: "model.diffusion_model.output_blocks.1.1.conv.bias"))
        #expect(unet.contains("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"))
        #expect(unet.contains("mid_block.resnets.1.time_emb_proj.weight"))
        // Everything else is taken, so nothing is left over; the skipped extras were never there.
        for store in [checkpoint.unet.weights, checkpoint.vae.weights, checkpoint.textEncoder.weights] {
            for name in store.names { _ = try store.take(name, shape: store.shape(name)!) }
            try store.finish()
            #expect(!store.names.contains { $0.contains("ema") || $0.contains("betas") || $0.contains("projection") })
        }
    }

    @Test func aMissingTensorIsNamed() throws {
        Self.expectRejected("tensor 'model.diffusion_model.out.2.weight' is missing (needed for the output channels)") {
            _ = try Self.open { $0.removeAll { $0.name == "model.diffusion_model.out.2.weight" } }
        }
        let checkpoint = try Self.open { $0.removeAll { $0.name.hasSuffix("resblocks.0.attn.in_proj_bias") } }
        Self.expectRejected("(text encoder): tensor 'text_model.encoder.layers.0.self_attn.k_proj.bias' of shape [8] is missing") {
            _ = try checkpoint.textEncoder.weights.take("text_model.encoder.layers.0.self_attn.k_proj.bias", shape: [8])
        }
    }

    @Test func aWrongShapeIsNamedWithTheExpectedOne() throws {
        Self.expectRejected("'cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight' has shape [24, 7], expected [24, 8]") {
            _ = try Self.open { tensors in
                let i = tensors.firstIndex { $0.name.hasSuffix("resblocks.0.attn.in_proj_weight") }!
                tensors[i].shape = [24, 7]
            }
        }
        let checkpoint = try Self.open { tensors in
            let i = tensors.firstIndex { $0.name == "model.diffusion_model.input_blocks.1.0.emb_layers.1.weight" }!
            tensors[i].shape = [8, 16]
        }
        Self.expectRejected("tensor 'down_blocks.0.resnets.0.time_emb_proj.weight' (from 'model.diffusion_model.input_blocks.1.0.emb_layers.1.weight') has shape [8, 16], expected [8, 32]") {
            _ = try checkpoint.unet.weights.take("down_blocks.0.resnets.0.time_emb_proj.weight", shape: [8, 32])
        }
    }

    @Test func anUnexpectedTensorIsNamed() throws {
        Self.expectRejected("tensor 'conditioner.embedders.0.x' [2] belongs to no Stable Diffusion component") {
            _ = try Self.open { $0.append(("conditioner.embedders.0.x", [2])) }
        }
        Self.expectRejected("1 tensor that fit no part of the UNet: 'model.diffusion_model.input_blocks.1.0.extra.weight' [2]") {
            _ = try Self.open { $0.append(("model.diffusion_model.input_blocks.1.0.extra.weight", [2])) }
        }
        // Inside a transformer every name is diffusers' already: the model's finish names what it does not take.
        let checkpoint = try Self.open { $0.append(("model.diffusion_model.middle_block.1.transformer_blocks.0.extra", [2])) }
        let unet = checkpoint.unet.weights
        for name in unet.names where !name.hasSuffix(".extra") { _ = try unet.take(name, shape: unet.shape(name)!) }
        Self.expectRejected("(UNet): 1 tensor the model does not use: 'mid_block.attentions.0.transformer_blocks.0.extra' (from 'model.diffusion_model.middle_block.1.transformer_blocks.0.extra') [2]") {
            try unet.finish()
        }
    }

    @Test func theTextEncoderMustMatchTheUNet() {
        Self.expectRejected("no SD 2.x text encoder (no tensors 'cond_stage_model.model.…')") {
            _ = try Self.open { $0.removeAll { $0.name.hasPrefix("cond_stage_model.") } }
        }
        Self.expectRejected("the UNet's cross-attention reads 8-wide text states, but the text encoder is 4 wide") {
            _ = try Self.open { tensors in
                let i = tensors.firstIndex { $0.name == "cond_stage_model.model.token_embedding.weight" }!
                tensors[i].shape = [10, 4]
            }
        }
    }

    /// CLIP's vocabulary as `restorekit models fetch` installs it into `models`: the
    /// decompressed merges list in `clip/`, listed in the manifest with its sha256.
    static func installVocabulary(_ text: [UInt8], in models: String, listed: [UInt8]? = nil) throws {
        let package = ModelCatalog.clipVocabulary, relative = package.folder + "/" + package.files[0]
        try FileManager.default.createDirectory(atPath: models + "/" + package.folder, withIntermediateDirectories: true)
        try FileIO.writeAtomically(text, to: models + "/" + relative)
        let manifest = "\(SHA256.hex(listed ?? text)) \(package.name) 3.3.0 \(relative)\n"
        try FileIO.writeAtomically(Array(manifest.utf8), to: models + "/" + ModelDirectory.manifestName)
    }

    @Test func theTokenizerComesFromTheModelsFolder() throws {
        let checkpoint = try Self.open()
        let models = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(models) }
        // Not fetched: the error names the checkpoint and the fetch command.
        let missing = #expect(throws: RestoreError.self) { _ = try checkpoint.tokenizer(models: ModelDirectory(path: models)) }
        #expect(missing?.kind == .model)
        for phrase in [checkpoint.path, "carries no tokenizer", "is not installed", ModelCatalog.fetchCommand] {
            #expect(missing?.message.contains(phrase) == true, "expected “\(phrase)” in: \(missing?.message ?? "no error")")
        }

        let text = Array(("bpe_simple_vocab_16e6.txt#version: 0.2\n" + CLIPTokenizerTests.merges.joined(separator: "\n") + "\n").utf8)
        try Self.installVocabulary(text, in: models)
        let installed = ModelDirectory(path: models)
        #expect(installed.isInstalled(ModelCatalog.clipVocabulary) && !installed.isInstalled(ModelCatalog.srmd))
        // SD 2.x (the tiny checkpoint) pads with "!", cutting the prompt there as its tokenizer folders do.
        let tokenizer = try checkpoint.tokenizer(models: installed)
        let reference = try CLIPTokenizer(mergesList: text, file: "list", padToken: "!")
        #expect(tokenizer.padID == CLIPTokenizerTests().id("!") && tokenizer.maximumLength == CLIPTokenizer.contextLength)
        #expect(tokenizer.encode("hi! A cat") == reference.encode("hi! A cat"))
        #expect(try CLIPTokenizer(vocabularyIn: installed).padID == CLIPTokenizerTests().id("<|endoftext|>"))

        // An edited vocabulary no longer matches the manifest's checksum.
        try Self.installVocabulary(text + Array("h i\n".utf8), in: models, listed: text)
        let damaged = #expect(throws: RestoreError.self) { _ = try checkpoint.tokenizer(models: ModelDirectory(path: models)) }
        #expect(damaged?.message.contains("is damaged") == true && damaged?.message.contains(ModelCatalog.fetchCommand) == true)
    }
}
