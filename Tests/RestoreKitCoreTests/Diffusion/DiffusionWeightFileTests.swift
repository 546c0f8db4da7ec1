import Foundation
import Testing
@testable import RestoreKitCore

/// Tiny diffusers component folders — a CLIP text encoder, a UNet, a VAE and a
/// ControlNet, every tensor named and shaped as diffusers and transformers save
/// them — written to a temporary folder: the valid ones load and run, and damaged
/// or mismatched weight files, configs and LoRAs give a `RestoreError` whose
/// message names the problem, never a crash or a huge allocation (the suite also
/// runs under AddressSanitizer: `make test-nn-asan`).
@Suite struct DiffusionWeightFileTests {
    typealias Entry = (name: String, shape: [Int])

    // MARK: - The tiny components

    /// A component's config.json and tensor list, which a test edits before writing.
    struct Component {
        var config: [String: JSONValue]
        var weightsFile: String
        var tensors: [Entry] = []
        /// 1×1 convolution weights, which a model also accepts as `[out, in]` and
        /// asks for so when they are missing.
        var pointwise: Set<String> = []

        mutating func add(_ name: String, _ shape: [Int]) { tensors.append((name, shape)) }
        mutating func norm(_ name: String, _ channels: Int) {
            add(name + ".weight", [channels])
            add(name + ".bias", [channels])
        }
        mutating func linear(_ name: String, _ inputs: Int, _ outputs: Int, bias: Bool = true) {
            add(name + ".weight", [outputs, inputs])
            if bias { add(name + ".bias", [outputs]) }
        }
        mutating func conv(_ name: String, _ inputs: Int, _ outputs: Int, kernel: Int = 3) {
            add(name + ".weight", [outputs, inputs, kernel, kernel])
            add(name + ".bias", [outputs])
        }
        mutating func pointwiseConv(_ name: String, _ inputs: Int, _ outputs: Int) {
            conv(name, inputs, outputs, kernel: 1)
            pointwise.insert(name + ".weight")
        }

        func shape(_ name: String) -> [Int]? { tensors.first { $0.name == name }?.shape }

        /// The shape a model names when `name` is missing.
        func expectedShape(_ name: String) -> [Int] {
            let shape = self.shape(name) ?? []
            return pointwise.contains(name) ? Array(shape.prefix(2)) : shape
        }

        mutating func remove(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(shape(name) != nil, "no tensor '\(name)'", sourceLocation: sourceLocation)
            tensors.removeAll { $0.name == name }
        }

        mutating func reshape(_ name: String, to shape: [Int], sourceLocation: SourceLocation = #_sourceLocation) {
            let i = tensors.firstIndex { $0.name == name }
            #expect(i != nil, "no tensor '\(name)'", sourceLocation: sourceLocation)
            if let i { tensors[i].shape = shape }
        }

        var configText: String { JSONValue.object(config).text }

        /// The weights file's bytes, each tensor's values stored as `dtype` (F32, F16 or BF16),
        /// `rounded` to fp16 first when asked: laid out as `SafeTensorsWriter` does (the valid
        /// test checks that), from bytes made once per tensor so that writing files stays fast.
        func weights(_ dtype: SafeTensorsDType = .f32, rounded: Bool = false) -> [UInt8] {
            DiffusionWeightFileTests.safetensors(tensors.map { tensor in
                (tensor.name, dtype, tensor.shape, DiffusionWeightFileTests.tensorBytes(tensor, dtype, rounded: rounded))
            })
        }

        /// Writes config.json and the weights (`weights` when given) into `folder`/`name`.
        @discardableResult
        func write(in folder: String, _ name: String, weights bytes: [UInt8]? = nil, file: String? = nil) throws -> String {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try DiffusionWeightFileTests.save(Array(configText.utf8), to: path + "/config.json")
            try DiffusionWeightFileTests.save(bytes ?? weights(), to: path + "/" + (file ?? weightsFile))
            return path
        }
    }

    /// Writes a file without `FileIO.writeAtomically`'s fsync, which would make the suite slow.
    static func save(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func number(_ n: Double) -> JSONValue { .number(n) }
    static func numbers(_ list: [Double]) -> JSONValue { .array(list.map(JSONValue.number)) }
    static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }

    /// transformers' CLIPTextModel: vocabulary 16, width 8, MLP 16, one layer of 2 heads, 4 positions.
    static func textEncoder() -> Component {
        var m = Component(config: ["architectures": strings(["CLIPTextModel"]), "vocab_size": number(16),
                                   "hidden_size": number(8), "intermediate_size": number(16),
                                   "num_hidden_layers": number(1), "num_attention_heads": number(2),
                                   "max_position_embeddings": number(4), "hidden_act": .string("quick_gelu"),
                                   "layer_norm_eps": number(1e-5)],
                          weightsFile: "model.safetensors")
        m.add("text_model.embeddings.token_embedding.weight", [16, 8])
        m.add("text_model.embeddings.position_embedding.weight", [4, 8])
        let p = "text_model.encoder.layers.0."
        m.norm(p + "layer_norm1", 8)
        for projection in ["q_proj", "k_proj", "v_proj", "out_proj"] { m.linear(p + "self_attn." + projection, 8, 8) }
        m.norm(p + "layer_norm2", 8)
        m.linear(p + "mlp.fc1", 8, 16)
        m.linear(p + "mlp.fc2", 16, 8)
        m.norm("text_model.final_layer_norm", 8)
        return m
    }

    static let blockChannels = [8, 16]
    static let timeChannels = 32
    static let contextChannels = 8

    /// diffusers' `ResnetBlock2D`; `time` is nil in the VAE.
    static func resnet(_ m: inout Component, _ p: String, _ inputs: Int, _ outputs: Int, time: Int?) {
        m.norm(p + ".norm1", inputs)
        m.conv(p + ".conv1", inputs, outputs)
        if let time { m.linear(p + ".time_emb_proj", time, outputs) }
        m.norm(p + ".norm2", outputs)
        m.conv(p + ".conv2", outputs, outputs)
        if inputs != outputs { m.pointwiseConv(p + ".conv_shortcut", inputs, outputs) }
    }

    /// diffusers' `Transformer2DModel` with SD 1.x's 1×1 convolution projections.
    static func transformer(_ m: inout Component, _ p: String, _ c: Int) {
        m.norm(p + ".norm", c)
        m.pointwiseConv(p + ".proj_in", c, c)
        let b = p + ".transformer_blocks.0"
        for norm in ["norm1", "norm2", "norm3"] { m.norm("\(b).\(norm)", c) }
        for (attention, context) in [("attn1", c), ("attn2", contextChannels)] {
            m.linear("\(b).\(attention).to_q", c, c, bias: false)
            m.linear("\(b).\(attention).to_k", context, c, bias: false)
            m.linear("\(b).\(attention).to_v", context, c, bias: false)
            m.linear("\(b).\(attention).to_out.0", c, c)
        }
        m.linear(b + ".ff.net.0.proj", c, 8 * c)
        m.linear(b + ".ff.net.2", 4 * c, c)
        m.pointwiseConv(p + ".proj_out", c, c)
    }

    /// Without `transformer_layers_per_block` and `num_attention_heads`, as SD 1.x configs
    /// are: the per-level defaults must cover every level.
    static func unetConfig() -> [String: JSONValue] {
        ["_class_name": .string("UNet2DConditionModel"), "in_channels": number(4), "out_channels": number(4),
         "block_out_channels": numbers([8, 16]), "layers_per_block": number(1),
         "down_block_types": strings(["CrossAttnDownBlock2D", "DownBlock2D"]),
         "up_block_types": strings(["UpBlock2D", "CrossAttnUpBlock2D"]), "norm_num_groups": number(4),
         "cross_attention_dim": number(8), "attention_head_dim": number(2), "sample_size": number(4)]
    }

    /// The UNet's first half (what a ControlNet copies); returns the skip connections' channels.
    @discardableResult
    static func unetEncoder(_ m: inout Component) -> [Int] {
        let ch = blockChannels
        m.linear("time_embedding.linear_1", ch[0], timeChannels)
        m.linear("time_embedding.linear_2", timeChannels, timeChannels)
        m.conv("conv_in", 4, ch[0])
        var skips = [ch[0]]
        for level in ch.indices {
            let p = "down_blocks.\(level)"
            resnet(&m, p + ".resnets.0", ch[max(level - 1, 0)], ch[level], time: timeChannels)
            if level == 0 { transformer(&m, p + ".attentions.0", ch[level]) }
            skips.append(ch[level])
            if level < ch.count - 1 {
                m.conv(p + ".downsamplers.0.conv", ch[level], ch[level])
                skips.append(ch[level])
            }
        }
        resnet(&m, "mid_block.resnets.0", 16, 16, time: timeChannels)
        transformer(&m, "mid_block.attentions.0", 16)
        resnet(&m, "mid_block.resnets.1", 16, 16, time: timeChannels)
        return skips
    }

    /// diffusers' UNet2DConditionModel: widths 8 and 16, one CrossAttnDownBlock2D + DownBlock2D,
    /// UpBlock2D + CrossAttnUpBlock2D, one layer per block, 4 groups, 2 heads, text width 8.
    static func unet() -> Component {
        var m = Component(config: unetConfig(), weightsFile: "diffusion_pytorch_model.safetensors")
        var skips = unetEncoder(&m)
        let ch = blockChannels
        var previous = ch[ch.count - 1]
        for i in ch.indices {
            let level = ch.count - 1 - i, p = "up_blocks.\(i)"
            for j in 0 ... 1 {
                resnet(&m, "\(p).resnets.\(j)", (j == 0 ? previous : ch[level]) + skips.removeLast(), ch[level],
                       time: timeChannels)
                if i == 1 { transformer(&m, "\(p).attentions.\(j)", ch[level]) }
            }
            previous = ch[level]
            if i == 0 { m.conv(p + ".upsamplers.0.conv", ch[level], ch[level]) }
        }
        m.norm("conv_norm_out", ch[0])
        m.conv("conv_out", ch[0], 4)
        return m
    }

    /// diffusers' AutoencoderKL of `channels` per level (one resnet per encoder level, two per
    /// decoder level), `groups` groups, 4 latent channels.
    static func vae(channels ch: [Int] = [8, 16], groups: Int = 4) -> Component {
        var m = Component(config: ["_class_name": .string("AutoencoderKL"), "in_channels": number(3),
                                   "out_channels": number(3), "latent_channels": number(4),
                                   "block_out_channels": numbers(ch.map(Double.init)), "layers_per_block": number(1),
                                   "norm_num_groups": number(Double(groups)), "act_fn": .string("silu"),
                                   "down_block_types": strings(ch.map { _ in "DownEncoderBlock2D" }),
                                   "up_block_types": strings(ch.map { _ in "UpDecoderBlock2D" }),
                                   "scaling_factor": number(0.18215)],
                          weightsFile: "diffusion_pytorch_model.safetensors")
        let top = ch[ch.count - 1]
        func middle(_ p: String) {
            resnet(&m, p + ".resnets.0", top, top, time: nil)
            m.norm(p + ".attentions.0.group_norm", top)
            for projection in ["to_q", "to_k", "to_v", "to_out.0"] { m.linear(p + ".attentions.0." + projection, top, top) }
            resnet(&m, p + ".resnets.1", top, top, time: nil)
        }
        m.conv("encoder.conv_in", 3, ch[0])
        for level in ch.indices {
            let p = "encoder.down_blocks.\(level)"
            resnet(&m, p + ".resnets.0", ch[max(level - 1, 0)], ch[level], time: nil)
            if level < ch.count - 1 { m.conv(p + ".downsamplers.0.conv", ch[level], ch[level]) }
        }
        middle("encoder.mid_block")
        m.norm("encoder.conv_norm_out", top)
        m.conv("encoder.conv_out", top, 8)
        m.pointwiseConv("quant_conv", 8, 8)
        m.pointwiseConv("post_quant_conv", 4, 4)
        m.conv("decoder.conv_in", 4, top)
        middle("decoder.mid_block")
        for i in ch.indices {
            let level = ch.count - 1 - i, p = "decoder.up_blocks.\(i)"
            resnet(&m, p + ".resnets.0", ch[min(level + 1, ch.count - 1)], ch[level], time: nil)
            resnet(&m, p + ".resnets.1", ch[level], ch[level], time: nil)
            if level > 0 { m.conv(p + ".upsamplers.0.conv", ch[level], ch[level]) }
        }
        m.norm("decoder.conv_norm_out", ch[0])
        m.conv("decoder.conv_out", ch[0], 3)
        return m
    }

    /// diffusers' ControlNetModel over the UNet's first half, conditioning widths `widths`
    /// (so the conditioning image is 2^(count − 1) times the latents' size).
    static func controlNet(widths: [Int] = [4, 8]) -> Component {
        var config = unetConfig()
        config["_class_name"] = .string("ControlNetModel")
        config["up_block_types"] = nil
        config["out_channels"] = nil
        config["conditioning_embedding_out_channels"] = numbers(widths.map(Double.init))
        var m = Component(config: config, weightsFile: "diffusion_pytorch_model.safetensors")
        let skips = unetEncoder(&m)
        m.conv("controlnet_cond_embedding.conv_in", 3, widths[0])
        for i in 0 ..< widths.count - 1 {
            m.conv("controlnet_cond_embedding.blocks.\(2 * i)", widths[i], widths[i])
            m.conv("controlnet_cond_embedding.blocks.\(2 * i + 1)", widths[i], widths[i + 1])
        }
        m.conv("controlnet_cond_embedding.conv_out", widths[widths.count - 1], blockChannels[0])
        for (i, channels) in skips.enumerated() { m.pointwiseConv("controlnet_down_blocks.\(i)", channels, channels) }
        m.pointwiseConv("controlnet_mid_block", 16, 16)
        return m
    }

    /// Reproducible values of a tensor, from its name: [−0.5, 0.5] (norm scales around 1).
    static func values(_ tensor: Entry) -> [Float] {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in tensor.name.utf8 { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let values = NNTest.values(tensor.shape.reduce(1, *), seed: seed)
        let isNormScale = tensor.name.hasSuffix(".weight") && tensor.shape.count == 1
        return isNormScale ? values.map { 1 + $0 } : values
    }

    /// The values rounded to fp16, as an fp16 file holds them.
    static func halfValues(_ tensor: Entry) -> [Float] { values(tensor).map { Float(Float16($0)) } }

    /// `values` stored as `dtype`: F32, F16, BF16 (truncated), or bytes of 1 for other dtypes.
    static func encode(_ values: [Float], as dtype: SafeTensorsDType) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(values.count * dtype.size)
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        for v in values {
            switch dtype {
            case .f32: append(v.bitPattern)
            case .f16: append(Float16(v).bitPattern)
            case .bf16: append(UInt16(v.bitPattern >> 16))
            default: data += [UInt8](repeating: 1, count: dtype.size)
            }
        }
        return data
    }

    /// Each tensor's stored bytes, made once.
    final class ByteCache: @unchecked Sendable {
        let lock = NSLock()
        var table: [String: [UInt8]] = [:]
    }

    static let byteCache = ByteCache()

    /// The bytes of `tensor`'s values (`rounded` to fp16 first) stored as `dtype`.
    static func tensorBytes(_ tensor: Entry, _ dtype: SafeTensorsDType, rounded: Bool) -> [UInt8] {
        let key = "\(tensor.name) \(tensor.shape) \(dtype.rawValue) \(rounded)"
        if let bytes = byteCache.lock.withLock({ byteCache.table[key] }) { return bytes }
        let bytes = encode(rounded ? halfValues(tensor) : values(tensor), as: dtype)
        byteCache.lock.withLock { byteCache.table[key] = bytes }
        return bytes
    }

    /// A safetensors image of tensors of any dtype, from their bytes, laid out as
    /// `SafeTensorsWriter` lays out F32 files (header padded with spaces to 8 bytes).
    static func safetensors(_ tensors: [(name: String, dtype: SafeTensorsDType, shape: [Int], data: [UInt8])]) -> [UInt8] {
        var header: [String] = [], data: [UInt8] = []
        for tensor in tensors {
            let begin = data.count
            data += tensor.data
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            header.append("\(tensor.name.jsonQuoted):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var json = Array("{\(header.joined(separator: ","))}".utf8)
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        return out + json + data
    }

    // MARK: - Loading and checking

    enum Model: CaseIterable {
        case textEncoder, unet, vae, controlNet

        var component: Component {
            switch self {
            case .textEncoder: DiffusionWeightFileTests.textEncoder()
            case .unet: DiffusionWeightFileTests.unet()
            case .vae: DiffusionWeightFileTests.vae()
            case .controlNet: DiffusionWeightFileTests.controlNet()
            }
        }

        /// Loads the model of `folder` as its public initializer does.
        func load(_ folder: String, variant: String? = nil) throws {
            switch self {
            case .textEncoder: _ = try CLIPTextEncoder(folder: folder, variant: variant)
            case .unet: _ = try UNet(folder: folder, variant: variant)
            case .vae: _ = try AutoencoderKL(folder: folder, variant: variant)
            case .controlNet: _ = try ControlNet(folder: folder, variant: variant)
            }
        }
    }

    /// Expects `body` to throw a `RestoreError` of `kind` whose message contains every phrase.
    @discardableResult
    static func expectError(_ kind: RestoreError.Kind = .model, _ phrases: String..., sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) -> RestoreError? {
        expectError(kind, phrases: phrases, sourceLocation: sourceLocation, body)
    }

    @discardableResult
    static func expectError(_ kind: RestoreError.Kind, phrases: [String], sourceLocation: SourceLocation,
                            _ body: () throws -> Void) -> RestoreError? {
        let error = #expect(throws: RestoreError.self, sourceLocation: sourceLocation) { try body() }
        let message = error?.message ?? "no error"
        #expect(error?.kind == kind, "\(message)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(message.contains(phrase), "expected “\(phrase)” in: \(message)", sourceLocation: sourceLocation)
        }
        return error
    }

    /// A fresh temporary folder for `body`, removed after.
    static func inFolder<R>(_ body: (String) throws -> R) throws -> R {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        return try body(folder)
    }

    static func isFinite(_ t: Tensor) -> Bool { t.interleaved().allSatisfy(\.isFinite) }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.interleaved(), b.interleaved()).map { abs($0 - $1) }.max() ?? .infinity
    }

    static func maxMagnitude(_ t: Tensor) -> Float { t.interleaved().map(abs).max() ?? 0 }

    /// The outputs of the four models of `folder`'s components (text states, the UNet's
    /// prediction with and without the ControlNet, the VAE's latents and image).
    static func outputs(_ folder: String, variant: String? = nil) throws -> [Tensor] {
        let text = try CLIPTextEncoder(folder: folder + "/text_encoder", variant: variant)
        let unet = try UNet(folder: folder + "/unet", variant: variant)
        let vae = try AutoencoderKL(folder: folder + "/vae", variant: variant)
        let control = try ControlNet(folder: folder + "/controlnet", variant: variant)
        let states = try text.encode([0, 5, 15], threads: 1)
        let latents = try NNTest.tensor(4, 4, 4)
        let residuals = try control.residuals(latents, timestep: 500, context: states, image: NNTest.tensor(3, 8, 8, seed: 3),
                                              scale: 1, threads: 1)
        let mean = try vae.encode(NNTest.tensor(3, 4, 4, seed: 2), threads: 1)
        return [states, try unet.predict(latents, timestep: 500, context: states, threads: 1),
                try unet.predict(latents, timestep: 500, context: states, control: residuals, threads: 1),
                mean, try vae.decode(mean, threads: 1)]
    }

    /// Writes the four valid components under `folder`.
    static func writeAll(in folder: String, dtype: SafeTensorsDType = .f32, rounded: Bool = false,
                         fileSuffix: String = "") throws {
        for (model, name) in [(Model.textEncoder, "text_encoder"), (.unet, "unet"), (.vae, "vae"), (.controlNet, "controlnet")] {
            let component = model.component
            let file = component.weightsFile.replacingOccurrences(of: ".safetensors", with: fileSuffix + ".safetensors")
            try component.write(in: folder, name, weights: component.weights(dtype, rounded: rounded), file: file)
        }
    }

    // MARK: - Valid files

    @Test func theTinyComponentsLoadAndRun() throws {
        try Self.inFolder { folder in
            try Self.writeAll(in: folder)
            // The files are what `SafeTensorsWriter` writes.
            let component = Self.textEncoder()
            var writer = SafeTensorsWriter()
            for tensor in component.tensors { try writer.add(tensor.name, shape: tensor.shape, values: Self.values(tensor)) }
            #expect(writer.bytes() == component.weights())
            let text = try CLIPTextEncoder(folder: folder + "/text_encoder")
            #expect(text.configuration.vocabularySize == 16 && text.configuration.width == 8
                && text.configuration.layers == 1 && text.configuration.heads == 2 && text.configuration.positions == 4)
            let states = try text.encode([0, 5, 15], threads: 1)
            #expect((states.height, states.width, states.channels) == (1, 3, 8))
            // Causal attention: the first two tokens' states do not depend on the third.
            let prefix = try text.encode([0, 5], threads: 1)
            let first = Array(states.interleaved().prefix(16)), second = prefix.interleaved()
            #expect(zip(first, second).allSatisfy { abs($0 - $1) < 1e-5 })

            let unet = try UNet(folder: folder + "/unet")
            #expect(unet.configuration.blockChannels == [8, 16] && unet.configuration.downAttention == [true, false]
                && unet.configuration.upAttention == [false, true] && unet.configuration.timeChannels == 32)
            let latents = try NNTest.tensor(4, 4, 4)
            let noise = try unet.predict(latents, timestep: 500, context: states, threads: 1)
            #expect((noise.height, noise.width, noise.channels) == (4, 4, 4))
            #expect(Self.isFinite(noise) && Self.maxMagnitude(noise) > 0)
            let otherTime = try unet.predict(latents, timestep: 20, context: states, threads: 1)
            let otherText = try unet.predict(latents, timestep: 500, context: prefix, threads: 1)
            #expect(Self.maxDifference(noise, otherTime) > 1e-4 && Self.maxDifference(noise, otherText) > 1e-4)

            let control = try ControlNet(folder: folder + "/controlnet")
            #expect(control.downscale == 2)
            let image = try NNTest.tensor(3, 8, 8, seed: 3)
            let residuals = try control.residuals(latents, timestep: 500, context: states, image: image, scale: 1, threads: 1)
            #expect(residuals.skips.map(\.channels) == [8, 8, 8, 16] && residuals.mid.channels == 16)
            let guided = try unet.predict(latents, timestep: 500, context: states, control: residuals, threads: 1)
            #expect(Self.isFinite(guided) && Self.maxDifference(guided, noise) > 1e-4)
            let off = try control.residuals(latents, timestep: 500, context: states, image: image, scale: 0, threads: 1)
            let unguided = try unet.predict(latents, timestep: 500, context: states, control: off, threads: 1)
            #expect(Self.maxDifference(unguided, noise) < 1e-5)

            let vae = try AutoencoderKL(folder: folder + "/vae")
            #expect(vae.configuration.downscale == 2)
            let mean = try vae.encode(NNTest.tensor(3, 4, 4, seed: 2), threads: 1)
            #expect((mean.height, mean.width, mean.channels) == (2, 2, 4) && Self.isFinite(mean))
            let decoded = try vae.decode(mean, threads: 1)
            #expect((decoded.height, decoded.width, decoded.channels) == (4, 4, 3) && Self.isFinite(decoded))
            #expect(Self.maxMagnitude(decoded) > 0)

            // Inputs that do not fit the model are refused, not run.
            Self.expectError(.invalidArgument, "outside the vocabulary of 16") { _ = try text.encode([16], threads: 1) }
            Self.expectError(.invalidArgument, "1 to 4 tokens, not 5") { _ = try text.encode([1, 2, 3, 4, 5], threads: 1) }
            Self.expectError(.invalidArgument, "4-channel latents and a 8-channel context") {
                _ = try unet.predict(NNTest.tensor(3, 4, 4), timestep: 1, context: states, threads: 1)
            }
            Self.expectError(.invalidArgument, "sides are multiples of 2") { _ = try vae.encode(NNTest.tensor(3, 5, 4), threads: 1) }
        }
    }

    /// The text encoder skips what transformers' checkpoints carry and the text model never reads.
    @Test func theTextEncoderSkipsTheExtrasCheckpointsCarry() throws {
        try Self.inFolder { folder in
            var component = Self.textEncoder()
            component.add("text_model.embeddings.position_ids", [1, 4])
            component.add("text_projection.weight", [8, 8])
            component.add("logit_scale", [])
            _ = try CLIPTextEncoder(folder: component.write(in: folder, "text_encoder"))
        }
    }

    // MARK: - Missing, misshapen and unexpected tensors

    @Test func everyTensorIsNeededAndAMissingOneIsNamedWithItsShape() throws {
        try Self.inFolder { folder in
            for model in [Model.textEncoder, .unet, .vae] {
                let component = model.component
                let path = try component.write(in: folder, "\(model)")
                let full = try DiffusersComponent(path: path)
                let file = try SafeTensorsFile(path: path + "/" + component.weightsFile)
                #expect(file.tensors.count == component.tensors.count)
                for omitted in component.tensors {
                    let store = try WeightStore(tensors: file.tensors.filter { $0.name != omitted.name }.map { (name: $0.name, tensor: try file.stored($0)) },
                                                source: "'\(model)'")
                    Self.expectError(.model, "'\(model)': tensor '\(omitted.name)' of shape \(component.expectedShape(omitted.name)) is missing") {
                        switch model {
                        case .textEncoder: _ = try CLIPTextEncoder(configuration: .init(full), weights: store)
                        case .unet: _ = try UNet(configuration: UNetConfiguration(full), weights: store)
                        default: _ = try AutoencoderKL(configuration: .init(full), weights: store)
                        }
                    }
                }
            }
            // The ControlNet's own tensors, through its folder.
            let control = Self.controlNet()
            for omitted in control.tensors where omitted.name.hasPrefix("controlnet_") {
                var damaged = control
                damaged.remove(omitted.name)
                let path = try damaged.write(in: folder, "controlnet")
                Self.expectError(.model, "\(path)/diffusion_pytorch_model.safetensors: tensor '\(omitted.name)' of shape \(control.expectedShape(omitted.name)) is missing") {
                    _ = try ControlNet(folder: path)
                }
            }
        }
    }

    @Test func aWrongShapeIsNamedWithTheExpectedOne() throws {
        let cases: [(Model, String, [Int], String)] = [
            (.textEncoder, "text_model.embeddings.token_embedding.weight", [8, 16], "expected [16, 8]"),
            (.textEncoder, "text_model.encoder.layers.0.mlp.fc2.bias", [], "expected [8]"),
            (.unet, "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", [8, 64], "expected [64, 8]"),
            (.unet, "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight", [8, 16], "expected [8, 8]"),
            (.unet, "up_blocks.0.resnets.1.conv1.weight", [16, 16, 3, 3], "expected [16, 24, 3, 3]"),
            (.unet, "conv_in.weight", [1, 8, 4, 3, 3], "expected [8, 4, 3, 3]"),
            (.unet, "mid_block.attentions.0.proj_in.weight", [16, 16, 1], "expected [16, 16]"),
            (.vae, "decoder.conv_out.weight", [3, 8, 1, 1], "expected [3, 8, 3, 3]"),
            (.vae, "quant_conv.weight", [8, 4, 1, 1], "expected [8, 8, 1, 1]"),
            (.controlNet, "controlnet_cond_embedding.conv_out.weight", [8, 4, 3, 3], "expected [8, 8, 3, 3]"),
        ]
        try Self.inFolder { folder in
            for (model, name, shape, expected) in cases {
                var component = model.component
                component.reshape(name, to: shape)
                let path = try component.write(in: folder, "\(model)")
                Self.expectError(.model, "\(path)/\(component.weightsFile): tensor '\(name)' has shape \(shape), \(expected)") {
                    try model.load(path)
                }
            }
        }
    }

    @Test func anUnexpectedTensorIsNamed() throws {
        try Self.inFolder { folder in
            for model in Model.allCases {
                var component = model.component
                let stray = component.tensors[component.tensors.count / 2].name + "_extra"
                component.add(stray, [2])
                let path = try component.write(in: folder, "\(model)")
                Self.expectError(.model, "\(path)/\(component.weightsFile): 1 tensor the model does not use: '\(stray)' [2]") {
                    try model.load(path)
                }
            }
            // A second resnet when the config says one layer per block: all its tensors are left over.
            var unet = Self.unet()
            Self.resnet(&unet, "down_blocks.0.resnets.1", 8, 8, time: Self.timeChannels)
            let path = try unet.write(in: folder, "unet")
            Self.expectError(.model, "10 tensors the model does not use: 'down_blocks.0.resnets.1.conv1.bias' [8], ", ", …") {
                _ = try UNet(folder: path)
            }
        }
    }

    @Test func aTensorOfAnIntegerDtypeIsRefused() throws {
        try Self.inFolder { folder in
            let component = Self.textEncoder()
            let bytes = Self.safetensors(component.tensors.map { tensor in
                let dtype: SafeTensorsDType = tensor.name.hasSuffix("final_layer_norm.bias") ? .i32 : .f32
                return (tensor.name, dtype, tensor.shape, Self.encode(Self.values(tensor), as: dtype))
            })
            let path = try component.write(in: folder, "text_encoder", weights: bytes)
            Self.expectError(.model, "tensor 'text_model.final_layer_norm.bias' is I32; only F32, F16 and BF16 can be read as floats") {
                _ = try CLIPTextEncoder(folder: path)
            }
        }
    }

    // MARK: - Damaged files

    @Test func truncatedWeightFiles() throws {
        try Self.inFolder { folder in
            for model in [Model.textEncoder, .unet] {
                let component = model.component
                let bytes = component.weights()
                let header = Int(UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
                let cuts: [(Int, String)] = [
                    (0, "the file is 0 bytes, too short for the 8-byte header length"),
                    (7, "the file is 7 bytes, too short"),
                    (8, "header length \(header) runs past the end of the file (8 bytes; truncated?)"),
                    (8 + header / 2, "runs past the end of the file"),
                    (8 + header - 1, "runs past the end of the file"),
                    (8 + header, "run past the data section (0 bytes; truncated?)"),
                    (8 + header + 5, "run past the data section (5 bytes; truncated?)"),
                    ((8 + header + bytes.count) / 2, "run past the data section"),
                    (bytes.count - 4, "run past the data section (\(bytes.count - 12 - header) bytes; truncated?)"),
                    (bytes.count - 1, "run past the data section"),
                ]
                for (cut, phrase) in cuts {
                    let path = try component.write(in: folder, "\(model)", weights: Array(bytes.prefix(cut)))
                    Self.expectError(.model, "'\(path)/\(component.weightsFile)': safetensors: ", phrase) { try model.load(path) }
                }
                // Bytes past the last tensor are as wrong as missing ones.
                let path = try component.write(in: folder, "\(model)", weights: bytes + [0, 0, 0, 0])
                Self.expectError(.model, "at the end of the data section belong to no tensor") { try model.load(path) }
            }
        }
    }

    /// Every sampled single-bit flip of the header (length field included) is an error naming
    /// the file: the text encoder needs every tensor it has, so even a flip that leaves valid
    /// JSON (a renamed tensor, another size) cannot load.
    @Test func headerBitFlipsAreErrors() throws {
        try Self.inFolder { folder in
            let component = Self.textEncoder()
            let bytes = component.weights()
            let header = Int(UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
            var flips = (0 ..< 64).map { (byte: $0 / 8, bit: $0 % 8) }
            flips += (0 ..< 192).map { i in (byte: 8 + (i * 7919) % header, bit: (i * 5) % 8) }
            for (byte, bit) in flips {
                var damaged = bytes
                damaged[byte] ^= 1 << bit
                let path = try component.write(in: folder, "text_encoder", weights: damaged)
                Self.expectError(.model, "\(path)/model.safetensors") { _ = try CLIPTextEncoder(folder: path) }
            }
        }
    }

    @Test func garbageIsNotAWeightFile() throws {
        try Self.inFolder { folder in
            let component = Self.textEncoder()
            let good = component.weights()
            var generator = SeededGenerator(seed: 11)
            let random = (0 ..< 4096).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            let length = SafeTensorsTests.le([UInt64(64)])
            let cases: [([UInt8], String)] = [
                (random, "over the 100000000-byte limit"),
                (length + random.prefix(200), "safetensors: header byte "),
                ([UInt8](repeating: 0, count: 64), "safetensors: header byte 0: "),
                (Array(component.configText.utf8), "over the 100000000-byte limit"),
                (Array(good.prefix(8)) + random.prefix(good.count - 8), "safetensors: header byte "),
                (SafeTensorsTests.file("[1, 2]  "), "the header is an array, not an object"),
                (SafeTensorsTests.file(#"{"text_model.embeddings.token_embedding.weight": {"dtype": "F32"}}"#),
                 "tensor 'text_model.embeddings.token_embedding.weight': 'shape' is missing or not an array"),
                (SafeTensorsTests.file(#"{"a": {"dtype": "F32", "shape": [1e3], "data_offsets": [0, 4000]}}"#), "header byte"),
                (SafeTensorsTests.file(#"{"a": {"dtype": "F33", "shape": [1], "data_offsets": [0, 4]}}"#, [0, 0, 0, 0]),
                 "unknown dtype 'F33'"),
            ]
            for (bytes, phrase) in cases {
                let path = try component.write(in: folder, "text_encoder", weights: bytes)
                Self.expectError(.model, "'\(path)/model.safetensors': safetensors: ", phrase) { _ = try CLIPTextEncoder(folder: path) }
            }
            // A folder with PyTorch weights only, or none.
            let dir = folder + "/bin"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Self.save(Array(component.configText.utf8), to: dir + "/config.json")
            Self.expectError(.model, "'\(dir)' has no weights (diffusion_pytorch_model.safetensors") { _ = try CLIPTextEncoder(folder: dir) }
            try Self.save(random, to: dir + "/pytorch_model.bin")
            Self.expectError(.unsupported, "holds PyTorch .bin weights; convert them to safetensors") { _ = try CLIPTextEncoder(folder: dir) }
            try FileManager.default.createDirectory(atPath: dir + "/model.safetensors", withIntermediateDirectories: true)
            Self.expectError(.io, "is not a regular file") { _ = try CLIPTextEncoder(folder: dir) }
        }
    }

    @Test func shardedWeightsAndDamagedIndexes() throws {
        try Self.inFolder { folder in
            let component = Self.textEncoder()
            let half = component.tensors.count / 2
            var first = SafeTensorsWriter(), second = SafeTensorsWriter()
            for (i, tensor) in component.tensors.enumerated() {
                if i < half {
                    try first.add(tensor.name, shape: tensor.shape, values: Self.values(tensor))
                } else {
                    try second.add(tensor.name, shape: tensor.shape, values: Self.values(tensor))
                }
            }
            let path = try component.write(in: folder, "text_encoder", weights: first.bytes(), file: "model-00001-of-00002.safetensors")
            try Self.save(second.bytes(), to: path + "/model-00002-of-00002.safetensors")
            func index(_ map: [(String, String)]) throws {
                let text = JSONValue.object(["weight_map": .object(Dictionary(map.map { ($0, JSONValue.string($1)) }) { a, _ in a })]).text
                try Self.save(Array(text.utf8), to: path + "/model.safetensors.index.json")
            }
            let map = component.tensors.enumerated().map { ($1.name, $0 < half ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors") }
            try index(map)
            let sharded = try CLIPTextEncoder(folder: path).encode([1, 2], threads: 1)
            #expect(Self.isFinite(sharded))

            try index(map + [("x", "../model-00001-of-00002.safetensors")])
            Self.expectError(.model, "tensor 'x' names the string \"../model-00001-of-00002.safetensors\", not a .safetensors file in the folder") {
                _ = try CLIPTextEncoder(folder: path)
            }
            try index(map + [("x", "model-00003-of-00002.safetensors")])
            Self.expectError(.io, "cannot open '\(path)/model-00003-of-00002.safetensors'") { _ = try CLIPTextEncoder(folder: path) }
            // Both shards holding one tensor.
            try Self.save(component.weights(), to: path + "/model-00002-of-00002.safetensors")
            try index(map)
            Self.expectError(.model, "model.safetensors.index.json: tensor 'text_model.", "' is given twice") { _ = try CLIPTextEncoder(folder: path) }
            try Self.save(Array(#"{"weight_map": [1]}"#.utf8), to: path + "/model.safetensors.index.json")
            Self.expectError(.model, "model.safetensors.index.json' has no weight_map object") { _ = try CLIPTextEncoder(folder: path) }
            try Self.save(Array(#"{"weight_map": {"#.utf8), to: path + "/model.safetensors.index.json")
            Self.expectError(.model, "model.safetensors.index.json' is not valid JSON") { _ = try CLIPTextEncoder(folder: path) }
        }
    }

    // MARK: - Half precision

    /// fp16 (and bf16) files load, alone (the `.fp16` variant is the fallback) or
    /// when asked for, and give the outputs of fp32 files holding the same rounded values.
    @Test func halfPrecisionFilesLoadAndMatch() throws {
        try Self.inFolder { folder in
            try Self.writeAll(in: folder + "/fp32")
            try Self.writeAll(in: folder + "/rounded", rounded: true)
            try Self.writeAll(in: folder + "/fp16", dtype: .f16, fileSuffix: ".fp16")
            let full = try Self.outputs(folder + "/fp32")
            let rounded = try Self.outputs(folder + "/rounded")
            let half = try Self.outputs(folder + "/fp16")
            for (a, (b, c)) in zip(half, zip(rounded, full)) {
                #expect(a.hasShape(of: c))
                #expect(Self.maxDifference(a, b) <= 1e-5 * max(1, Self.maxMagnitude(b)), "fp16 file vs rounded fp32 file")
                #expect(Self.maxDifference(a, c) <= 2e-2 * max(1, Self.maxMagnitude(c)), "fp16 vs fp32: \(Self.maxDifference(a, c))")
            }
            #expect(zip(half, full).contains { Self.maxDifference($0, $1) > 0 })

            // With both files, the full-precision one is read unless the variant is asked for:
            // a damaged fp16 file shows which is read.
            var damaged = Self.unet()
            damaged.remove("conv_out.bias")
            try Self.save(damaged.weights(.f16), to: folder + "/fp32/unet/diffusion_pytorch_model.fp16.safetensors")
            _ = try UNet(folder: folder + "/fp32/unet")
            Self.expectError(.model, "diffusion_pytorch_model.fp16.safetensors: tensor 'conv_out.bias' of shape [4] is missing") {
                _ = try UNet(folder: folder + "/fp32/unet", variant: "fp16")
            }

            // bf16 too, with bf16's coarser rounding.
            let text = Self.textEncoder()
            let path = try text.write(in: folder, "bf16", weights: text.weights(.bf16))
            let states = try CLIPTextEncoder(folder: path).encode([0, 5, 15], threads: 1)
            #expect(Self.maxDifference(states, full[0]) <= 0.1 * Self.maxMagnitude(full[0]))
        }
    }

    // MARK: - Configurations

    /// Writes `model`'s valid weights with its config `edit`ed and expects loading to fail.
    static func expectConfigError(_ model: Model, kind: RestoreError.Kind = .model, _ phrases: String...,
                                  sourceLocation: SourceLocation = #_sourceLocation,
                                  _ edit: (inout [String: JSONValue]) -> Void) throws {
        try inFolder { folder in
            var component = model.component
            edit(&component.config)
            let path = try component.write(in: folder, "\(model)")
            expectError(kind, phrases: phrases, sourceLocation: sourceLocation) { try model.load(path) }
        }
    }

    @Test func aConfigThatIsNotJSONOrNotAnObject() throws {
        try Self.inFolder { folder in
            for model in Model.allCases {
                let component = model.component
                let path = try component.write(in: folder, "\(model)")
                for (text, phrase) in [("{\"in_channels\": 4,", "is not valid JSON"), ("", "is not valid JSON"),
                                       ("{\"a\": 1e400}", "is not valid JSON"), ("{\"a\": 1} x", "is not valid JSON"),
                                       (String(repeating: "[", count: 100_000), "is not valid JSON"),
                                       ("[1, 2]", "is an array, not an object"), ("\"unet\"", "not an object"),
                                       ("null", "is null, not an object")] {
                    try Self.save(Array(text.utf8), to: path + "/config.json")
                    Self.expectError(.model, "'\(path)/config.json' ", phrase) { try model.load(path) }
                }
                try FileManager.default.removeItem(atPath: path + "/config.json")
                Self.expectError(.model, "'\(path)' has no config.json: not a diffusers model folder") { try model.load(path) }
            }
        }
    }

    @Test func aMissingOrMistypedConfigKey() throws {
        for key in ["block_out_channels", "down_block_types", "up_block_types"] {
            try Self.expectConfigError(.unet, "config.json' has no '\(key)'") { $0[key] = nil }
        }
        for key in ["block_out_channels", "down_block_types", "up_block_types"] {
            try Self.expectConfigError(.vae, "config.json' has no '\(key)'") { $0[key] = nil }
        }
        try Self.expectConfigError(.controlNet, "config.json' has no 'down_block_types'") { $0["down_block_types"] = nil }
        try Self.expectConfigError(.unet, "'layers_per_block' is the string \"1\", expected an integer or a list of 2 integers") {
            $0["layers_per_block"] = .string("1")
        }
        try Self.expectConfigError(.unet, "'attention_head_dim' is an array, expected an integer or a list of 2 integers") {
            $0["attention_head_dim"] = Self.numbers([2, 2, 2])
        }
        try Self.expectConfigError(.unet, "'in_channels' is the number 4.5, expected an integer") { $0["in_channels"] = .number(4.5) }
        try Self.expectConfigError(.unet, "'cross_attention_dim' is the number 1e+20, expected an integer") {
            $0["cross_attention_dim"] = .number(1e20)
        }
        try Self.expectConfigError(.unet, "'down_block_types' is an array, expected a list of strings") {
            $0["down_block_types"] = .array([.string("CrossAttnDownBlock2D"), .number(2)])
        }
        try Self.expectConfigError(.unet, "'flip_sin_to_cos' is the string \"yes\", expected true or false") {
            $0["flip_sin_to_cos"] = .string("yes")
        }
        try Self.expectConfigError(.textEncoder, "'hidden_size' is true, expected an integer") { $0["hidden_size"] = .bool(true) }
        try Self.expectConfigError(.textEncoder, "'hidden_act' is the number 1.0, expected a string") { $0["hidden_act"] = .number(1) }
        try Self.expectConfigError(.vae, "'use_quant_conv' is the number 1.0, expected true or false") { $0["use_quant_conv"] = .number(1) }
        // A width that is not an integer is an error, not left out of the list.
        try Self.expectConfigError(.unet, "'block_out_channels' is an array, expected a non-empty list of integers") {
            $0["block_out_channels"] = .array([.number(8), .number(16), .string("32")])
        }
        try Self.expectConfigError(.vae, "'block_out_channels' is an array, expected a non-empty list of integers") {
            $0["block_out_channels"] = .array([.number(8), .number(16.5), .number(16)])
        }
        try Self.expectConfigError(.unet, "'block_out_channels' is the number 8.0, expected a non-empty list of integers") {
            $0["block_out_channels"] = .number(8)
        }
    }

    /// Sizes no model has are refused from the config, before any tensor is read or any
    /// memory sized by them is allocated; sizes in range but not the file's fail on the
    /// first tensor's shape.
    @Test func absurdSizesInTheConfig() throws {
        let outOfRange = "sizes out of range, or block widths"
        for value in [-8.0, 0, 1e9, 70000] {
            try Self.expectConfigError(.unet, outOfRange) { $0["block_out_channels"] = Self.numbers([value, 16]) }
            try Self.expectConfigError(.vae, outOfRange) { $0["block_out_channels"] = Self.numbers([8, value]) }
        }
        for key in ["in_channels", "out_channels", "cross_attention_dim", "norm_num_groups", "layers_per_block",
                    "attention_head_dim", "transformer_layers_per_block", "time_embedding_dim"] {
            for value in [-1.0, 0, 1e9] {
                try Self.expectConfigError(.unet, outOfRange) { $0[key] = .number(value) }
            }
        }
        try Self.expectConfigError(.unet, outOfRange) { $0["num_attention_heads"] = .number(0) }
        try Self.expectConfigError(.unet, "'block_out_channels' is an array, expected a non-empty list of integers") {
            $0["block_out_channels"] = .array([])
        }
        try Self.expectConfigError(.unet, "block widths [10, 16] not divisible by 4 groups") { $0["block_out_channels"] = Self.numbers([10, 16]) }
        try Self.expectConfigError(.unet, "block widths [8, 16] not divisible by 3 groups") { $0["norm_num_groups"] = .number(3) }
        try Self.expectConfigError(.unet, "8 channels do not split into 3 heads") { $0["attention_head_dim"] = .number(3) }
        // The mid block attends at the last level, which has no down-block attention to check.
        try Self.expectConfigError(.unet, "mid_block.attentions.0.transformer_blocks.0.attn1: 16 channels do not split into 5 heads") {
            $0["attention_head_dim"] = Self.numbers([2, 5])
        }
        // In range, but not the file's: the first tensor read says so; no 4 GB matrix is made.
        try Self.expectConfigError(.unet, "tensor 'time_embedding.linear_1.weight' has shape [32, 8], expected [65536, 16384]") {
            $0["block_out_channels"] = Self.numbers([16384, 16384])
        }
        try Self.expectConfigError(.unet, "tensor 'down_blocks.0.resnets.1.norm1.weight' of shape [8] is missing") {
            $0["layers_per_block"] = .number(65536)
        }

        for key in ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                    "max_position_embeddings"] {
            for value in [-5.0, 0, 1e9, 1e15] {
                try Self.expectConfigError(.textEncoder, "sizes [", "are out of range or the width is not divisible by the heads") {
                    $0[key] = .number(value)
                }
            }
        }
        try Self.expectConfigError(.textEncoder, "[16, 9, 16, 1, 2, 4] are out of range or the width is not divisible") {
            $0["hidden_size"] = .number(9)
        }
        try Self.expectConfigError(.textEncoder, "'text_model.embeddings.token_embedding.weight' has shape [16, 8], expected [1048576, 1048576]") {
            $0["vocab_size"] = .number(1_048_576)
            $0["hidden_size"] = .number(1_048_576)
        }

        for key in ["in_channels", "out_channels", "latent_channels", "layers_per_block", "norm_num_groups"] {
            for value in [-1.0, 0, 1e9] {
                try Self.expectConfigError(.vae, outOfRange) { $0[key] = .number(value) }
            }
        }
        try Self.expectConfigError(.vae, "block widths [8, 10] not divisible by 4 groups") { $0["block_out_channels"] = Self.numbers([8, 10]) }
        for widths in [[0.0], [-4, 8], [1e9, 8], [4, 70000]] {
            try Self.expectConfigError(.controlNet, "'conditioning_embedding_out_channels' is an array, expected a list of 1 to 16 channel counts") {
                $0["conditioning_embedding_out_channels"] = Self.numbers(widths)
            }
        }
        try Self.expectConfigError(.controlNet, "'conditioning_embedding_out_channels' is an array") {
            $0["conditioning_embedding_out_channels"] = .array([])
        }
        try Self.expectConfigError(.controlNet, "channel order 'xyz' is neither rgb nor bgr") {
            $0["controlnet_conditioning_channel_order"] = .string("xyz")
        }
    }

    /// So many levels that 2^(levels − 1) overflows: refused from the config, though the
    /// file holds every tensor such a model takes.
    @Test func tooManyLevelsToScaleBy() throws {
        try Self.inFolder { folder in
            let vae = Self.vae(channels: Array(repeating: 1, count: 65), groups: 1)
            let path = try vae.write(in: folder, "vae")
            Self.expectError(.model, "65 levels") {
                _ = try AutoencoderKL(folder: path).encode(NNTest.tensor(3, 1, 1), threads: 1)
            }
            let control = Self.controlNet(widths: Array(repeating: 1, count: 64))
            let controlPath = try control.write(in: folder, "controlnet")
            Self.expectError(.model, "'conditioning_embedding_out_channels' is an array, expected a list of 1 to 16 channel counts") {
                _ = try ControlNet(folder: controlPath).residuals(NNTest.tensor(4, 4, 4), timestep: 1,
                                                                  context: NNTest.tensor(8, 1, 3), image: NNTest.tensor(3, 4, 4),
                                                                  scale: 1, threads: 1)
            }
        }
    }

    @Test func unsupportedBlocksAndFeatures() throws {
        try Self.expectConfigError(.unet, kind: .unsupported, "down block 'AttnDownBlock2D' is not supported") {
            $0["down_block_types"] = Self.strings(["AttnDownBlock2D", "DownBlock2D"])
        }
        try Self.expectConfigError(.unet, kind: .unsupported, "up block 'CrossAttnUpBlock3D' is not supported") {
            $0["up_block_types"] = Self.strings(["UpBlock2D", "CrossAttnUpBlock3D"])
        }
        try Self.expectConfigError(.unet, "3 down and 2 up block types for 2 levels") {
            $0["down_block_types"] = Self.strings(["CrossAttnDownBlock2D", "DownBlock2D", "DownBlock2D"])
        }
        try Self.expectConfigError(.unet, kind: .unsupported, "'addition_embed_type' is the string \"text_time\"; only null is supported") {
            $0["addition_embed_type"] = .string("text_time")
        }
        try Self.expectConfigError(.unet, kind: .unsupported, "'mid_block_type' is the string \"UNetMidBlock2DSimpleCrossAttn\"") {
            $0["mid_block_type"] = .string("UNetMidBlock2DSimpleCrossAttn")
        }
        try Self.expectConfigError(.controlNet, kind: .unsupported, "'time_cond_proj_dim' is the number 256.0; only null is supported") {
            $0["time_cond_proj_dim"] = .number(256)
        }
        try Self.expectConfigError(.controlNet, kind: .unsupported, "global_pool_conditions is not supported") {
            $0["global_pool_conditions"] = .bool(true)
        }
        try Self.expectConfigError(.vae, kind: .unsupported, "'down_block_types' must be 2 × DownEncoderBlock2D") {
            $0["down_block_types"] = Self.strings(["DownEncoderBlock2D", "AttnDownEncoderBlock2D"])
        }
        try Self.expectConfigError(.vae, kind: .unsupported, "'up_block_types' must be 2 × UpDecoderBlock2D") {
            $0["up_block_types"] = Self.strings(["UpDecoderBlock2D"])
        }
        try Self.expectConfigError(.vae, kind: .unsupported, "a latent shift_factor is not supported") { $0["shift_factor"] = .number(0.1159) }
        try Self.expectConfigError(.vae, kind: .unsupported, "act_fn the string \"gelu\" is not supported") { $0["act_fn"] = .string("gelu") }
        try Self.expectConfigError(.textEncoder, kind: .unsupported, "text encoder activation 'relu' is not supported") {
            $0["hidden_act"] = .string("relu")
        }
    }

    // MARK: - LoRA

    /// A LoRA file of `tensors` (F32), written to `folder`.
    static func lora(_ folder: String, _ tensors: [(String, [Int])], name: String = "lora.safetensors") throws -> String {
        var writer = SafeTensorsWriter()
        for (tensor, shape) in tensors {
            let count = shape.reduce(1, *)
            try writer.add(tensor, shape: shape,
                           values: tensor.hasSuffix(".alpha") ? Array(repeating: 4, count: count) : Self.values((tensor, shape)))
        }
        let path = folder + "/" + name
        try Self.save(writer.bytes(), to: path)
        return path
    }

    static let textModule = "text_model.encoder.layers.0.mlp.fc1"
    static let linearModule = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k"
    static let convModule = "down_blocks.0.resnets.0.conv1"

    /// A valid LoRA: kohya names for the text encoder and a convolution (with alphas),
    /// PEFT names for a linear layer of the UNet (α = rank).
    static func validLoRA() -> [(String, [Int])] {
        let te = "lora_te_" + textModule.replacingOccurrences(of: ".", with: "_")
        let conv = "lora_unet_" + convModule.replacingOccurrences(of: ".", with: "_")
        return [(te + ".lora_down.weight", [2, 8]), (te + ".lora_up.weight", [16, 2]), (te + ".alpha", []),
                ("unet.\(linearModule).lora_A.weight", [2, 8]), ("unet.\(linearModule).lora_B.weight", [8, 2]),
                (conv + ".lora_down.weight", [2, 8, 3, 3]), (conv + ".lora_up.weight", [8, 2, 1, 1]), (conv + ".alpha", [])]
    }

    @Test func aLoRAIsMergedIntoTheWeightsItNames() throws {
        try Self.inFolder { folder in
            try Self.writeAll(in: folder)
            let lora = try LoRA(path: Self.lora(folder, Self.validLoRA()))
            #expect(lora.adapts(.unet) && lora.adapts(.textEncoder))
            let te = "lora_te_" + Self.textModule.replacingOccurrences(of: ".", with: "_")
            let conv = "lora_unet_" + Self.convModule.replacingOccurrences(of: ".", with: "_")
            // W + scale · α / rank · up · down, for each adapted weight.
            let cases: [(LoRA.Target, String, String, [Int], String, String, Float)] = [
                (.textEncoder, "text_encoder", Self.textModule, [16, 8], te + ".lora_up.weight", te + ".lora_down.weight", 4.0 / 2),
                (.unet, "unet", Self.linearModule, [8, 8], "unet.\(Self.linearModule).lora_B.weight",
                 "unet.\(Self.linearModule).lora_A.weight", 1),
                (.unet, "unet", Self.convModule, [8, 8, 3, 3], conv + ".lora_up.weight", conv + ".lora_down.weight", 4.0 / 2),
            ]
            let loraFile = try SafeTensorsFile(path: folder + "/lora.safetensors")
            for (target, component, module, shape, up, down, factor) in cases {
                let store = try DiffusersComponent(path: folder + "/" + component).weights
                try lora.merge(into: store, target: target, scale: 0.5)
                let merged = try store.take(module + ".weight", shape: shape)
                let original = Self.values((module + ".weight", shape))
                let u = try loraFile.floats(up), d = try loraFile.floats(down)
                let outputs = shape[0], inputs = original.count / outputs
                var worst: Float = 0
                for o in 0 ..< outputs {
                    for i in 0 ..< inputs {
                        let delta = (0 ..< 2).reduce(Float(0)) { $0 + u[o * 2 + $1] * d[$1 * inputs + i] }
                        worst = max(worst, abs(merged[o * inputs + i] - (original[o * inputs + i] + 0.5 * factor * delta)))
                    }
                }
                #expect(worst < 1e-5, "\(module)")
            }
            // The adapted models load and compute something else.
            let plain = try CLIPTextEncoder(folder: folder + "/text_encoder").encode([0, 5, 15], threads: 1)
            let adapted = try CLIPTextEncoder(folder: folder + "/text_encoder", loras: [(lora, scale: 1)]).encode([0, 5, 15], threads: 1)
            #expect(Self.maxDifference(plain, adapted) > 1e-4)
            let latents = try NNTest.tensor(4, 4, 4)
            let before = try UNet(folder: folder + "/unet").predict(latents, timestep: 10, context: plain, threads: 1)
            let after = try UNet(folder: folder + "/unet", loras: [(lora, scale: 1)]).predict(latents, timestep: 10, context: plain, threads: 1)
            #expect(Self.maxDifference(before, after) > 1e-4)
        }
    }

    @Test func aLoRAWhoseShapesDoNotFit() throws {
        let ff = "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj"
        let key = "lora_unet_" + ff.replacingOccurrences(of: ".", with: "_")
        let cases: [([Int], [Int])] = [([2, 64], [64, 2]), ([2, 8], [8, 2]), ([0, 8], [64, 0]), ([2, 8], [2, 64]),
                                       ([1 << 62, 0], [64, 0]), ([2, 8], [1 << 62, 0])]
        try Self.inFolder { folder in
            let unet = try Self.unet().write(in: folder, "unet")
            for (down, up) in cases {
                let lora = try LoRA(path: Self.lora(folder, [(key + ".lora_down.weight", down), (key + ".lora_up.weight", up)]))
                Self.expectError(.model, "'\(key).lora_down.weight' \(down) and '\(key).lora_up.weight' \(up) do not fit '\(ff).weight' [64, 8]") {
                    _ = try UNet(folder: unet, loras: [(lora, scale: 1)])
                }
            }
            // A damaged model whose weight has no elements, or is a scalar, cannot be adapted either.
            let conv = "lora_unet_conv_in"
            let lora = try LoRA(path: Self.lora(folder, [(conv + ".lora_down.weight", [2, 36]), (conv + ".lora_up.weight", [0, 2])]))
            for shape in [[0, 4, 3, 3], []] {
                var damaged = Self.unet()
                damaged.reshape("conv_in.weight", to: shape)
                let path = try damaged.write(in: folder, "damaged")
                Self.expectError(.model, "do not fit 'conv_in.weight' \(shape)") { _ = try UNet(folder: path, loras: [(lora, scale: 1)]) }
            }
            let alpha = try LoRA(path: Self.lora(folder, [(key + ".lora_down.weight", [2, 8]), (key + ".lora_up.weight", [64, 2]),
                                                          (key + ".alpha", [2])]))
            Self.expectError(.model, "'\(key).alpha' is not one number") { _ = try UNet(folder: unet, loras: [(alpha, scale: 1)]) }
        }
    }

    @Test func aLoRAForModulesTheModelLacks() throws {
        try Self.inFolder { folder in
            try Self.writeAll(in: folder)
            let missing = try LoRA(path: Self.lora(folder, [("lora_unet_down_blocks_3_resnets_0_conv1.lora_down.weight", [2, 8]),
                                                            ("lora_unet_down_blocks_3_resnets_0_conv1.lora_up.weight", [8, 2])]))
            Self.expectError(.model, "the unet has no module 'down_blocks_3_resnets_0_conv1' to adapt") {
                _ = try UNet(folder: folder + "/unet", loras: [(missing, scale: 1)])
            }
            let layer = "text_encoder.text_model.encoder.layers.1.self_attn.q_proj"
            let text = try LoRA(path: Self.lora(folder, [(layer + ".lora_A.weight", [2, 8]), (layer + ".lora_B.weight", [8, 2])]))
            Self.expectError(.model, "the text_encoder has no module 'text_model.encoder.layers.1.self_attn.q_proj' to adapt") {
                _ = try CLIPTextEncoder(folder: folder + "/text_encoder", loras: [(text, scale: 1)])
            }
            // Not for this model at all: merging into the UNet ignores the text encoder's adaptations.
            _ = try UNet(folder: folder + "/unet", loras: [(text, scale: 1)])
            Self.expectError(.unsupported, "adaptation 'lora_te2_text_model_encoder_layers_0_mlp_fc1' is for no model RestoreKit runs") {
                _ = try LoRA(path: Self.lora(folder, [("lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", [2, 8]),
                                                      ("lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", [16, 2])]))
            }
            // Two weights that read the same with underscores for dots.
            var unet = Self.unet()
            unet.add("down_blocks.0.extra_x.weight", [2, 2])
            unet.add("down_blocks_0.extra.x.weight", [2, 2])
            let path = try unet.write(in: folder, "ambiguous")
            let ambiguous = try LoRA(path: Self.lora(folder, [("lora_unet_down_blocks_0_extra_x.lora_down.weight", [1, 2]),
                                                              ("lora_unet_down_blocks_0_extra_x.lora_up.weight", [2, 1])]))
            Self.expectError(.model, "module 'down_blocks_0_extra_x' names more than one weight of the unet") {
                _ = try UNet(folder: path, loras: [(ambiguous, scale: 1)])
            }
        }
    }

    @Test func aLoRAWithStrayOrDamagedTensors() throws {
        try Self.inFolder { folder in
            let key = "lora_unet_conv_in"
            Self.expectError(.model, "tensor 'lora_unet_conv_in.dora_scale' belongs to no adaptation") {
                _ = try LoRA(path: Self.lora(folder, [(key + ".lora_down.weight", [2, 36]), (key + ".lora_up.weight", [8, 2]),
                                                      (key + ".dora_scale", [1, 36])]))
            }
            Self.expectError(.model, "tensor 'hada_w1_a' belongs to no adaptation") {
                _ = try LoRA(path: Self.lora(folder, [(key + ".lora_down.weight", [2, 36]), (key + ".lora_up.weight", [8, 2]),
                                                      ("hada_w1_a", [2])]))
            }
            Self.expectError(.model, "'\(key).lora_down.weight' has no matching '\(key).lora_up.weight'") {
                _ = try LoRA(path: Self.lora(folder, [(key + ".lora_down.weight", [2, 36])]))
            }
            Self.expectError(.model, "tensor '\(key).lora_up.weight' belongs to no adaptation") {
                _ = try LoRA(path: Self.lora(folder, [(key + ".lora_up.weight", [8, 2])]))
            }
            Self.expectError(.model, "holds no LoRA adaptations") { _ = try LoRA(path: Self.lora(folder, [])) }
            // A damaged LoRA file.
            let path = try Self.lora(folder, [(key + ".lora_down.weight", [2, 36]), (key + ".lora_up.weight", [8, 2])])
            let bytes = try FileIO.read(path)
            for cut in [0, 8, 20, bytes.count - 1] {
                try Self.save(Array(bytes.prefix(cut)), to: path)
                Self.expectError(.model, "'\(path)': safetensors: ") { _ = try LoRA(path: path) }
            }
            // An alpha stored as integers.
            let ints = Self.safetensors([(key + ".lora_down.weight", .f32, [2, 36], Self.encode(Array(repeating: 0.1, count: 72), as: .f32)),
                                         (key + ".lora_up.weight", .f32, [8, 2], Self.encode(Array(repeating: 0.1, count: 16), as: .f32)),
                                         (key + ".alpha", .i64, [], Self.encode([0], as: .i64))])
            try Self.save(ints, to: path)
            let unet = try Self.unet().write(in: folder, "unet")
            Self.expectError(.model, "tensor '\(key).alpha' is I64; only F32, F16 and BF16 can be read as floats") {
                _ = try UNet(folder: unet, loras: [(LoRA(path: path), scale: 1)])
            }
        }
    }
}
