@testable import RestoreKitCore

/// A tiny SD 2.x-shaped single-file checkpoint in the LDM layout, every tensor
/// named and shaped as the original code saves it: a UNet of two levels of
/// width 8 with one block each (attention at the first level, linear
/// projections, text width 8), a VAE of two levels, a two-layer OpenCLIP text
/// tower (one layer run), and the extras released files carry. Values count up
/// through the file so a test can tell which elements a view reads.
enum TinyLDMCheckpoint {
    static let width = 8

    static func shapes() -> [(name: String, shape: [Int])] {
        var out: [(String, [Int])] = []
        let c = width, time = 4 * width
        func add(_ name: String, _ shape: [Int]) { out.append((name, shape)) }
        func affine(_ name: String, _ channels: Int) {
            add(name + ".weight", [channels])
            add(name + ".bias", [channels])
        }
        func layer(_ name: String, _ shape: [Int]) {
            add(name + ".weight", shape)
            add(name + ".bias", [shape[0]])
        }
        let unet = LDMUNetLayout.prefix
        func resblock(_ name: String, _ inputs: Int) {
            affine(name + ".in_layers.0", inputs)
            layer(name + ".in_layers.2", [c, inputs, 3, 3])
            layer(name + ".emb_layers.1", [c, time])
            affine(name + ".out_layers.0", c)
            layer(name + ".out_layers.3", [c, c, 3, 3])
            if inputs != c { layer(name + ".skip_connection", [c, inputs, 1, 1]) }
        }
        func transformer(_ name: String) {
            affine(name + ".norm", c)
            layer(name + ".proj_in", [c, c])
            let block = name + ".transformer_blocks.0"
            for attention in ["attn1", "attn2"] {
                let context = attention == "attn1" ? c : width
                add("\(block).\(attention).to_q.weight", [c, c])
                add("\(block).\(attention).to_k.weight", [c, context])
                add("\(block).\(attention).to_v.weight", [c, context])
                layer("\(block).\(attention).to_out.0", [c, c])
            }
            for norm in ["norm1", "norm2", "norm3"] { affine("\(block).\(norm)", c) }
            layer(block + ".ff.net.0.proj", [8 * c, c])
            layer(block + ".ff.net.2", [c, 4 * c])
            layer(name + ".proj_out", [c, c])
        }
        layer(unet + "time_embed.0", [time, c])
        layer(unet + "time_embed.2", [time, time])
        layer(unet + "input_blocks.0.0", [c, 4, 3, 3])
        resblock(unet + "input_blocks.1.0", c)
        transformer(unet + "input_blocks.1.1")
        layer(unet + "input_blocks.2.0.op", [c, c, 3, 3])
        resblock(unet + "input_blocks.3.0", c)
        resblock(unet + "middle_block.0", c)
        transformer(unet + "middle_block.1")
        resblock(unet + "middle_block.2", c)
        resblock(unet + "output_blocks.0.0", 2 * c)
        resblock(unet + "output_blocks.1.0", 2 * c)
        layer(unet + "output_blocks.1.1.conv", [c, c, 3, 3])
        for i in 2 ... 3 {
            resblock(unet + "output_blocks.\(i).0", 2 * c)
            transformer(unet + "output_blocks.\(i).1")
        }
        affine(unet + "out.0", c)
        layer(unet + "out.2", [4, c, 3, 3])

        let vae = LDMVAELayout.prefix
        func vaeBlock(_ name: String) {
            affine(name + ".norm1", c)
            layer(name + ".conv1", [c, c, 3, 3])
            affine(name + ".norm2", c)
            layer(name + ".conv2", [c, c, 3, 3])
        }
        func mid(_ coder: String) {
            vaeBlock(vae + coder + ".mid.block_1")
            affine(vae + coder + ".mid.attn_1.norm", c)
            for projection in ["q", "k", "v", "proj_out"] { layer(vae + coder + ".mid.attn_1." + projection, [c, c, 1, 1]) }
            vaeBlock(vae + coder + ".mid.block_2")
        }
        layer(vae + "encoder.conv_in", [c, 3, 3, 3])
        vaeBlock(vae + "encoder.down.0.block.0")
        layer(vae + "encoder.down.0.downsample.conv", [c, c, 3, 3])
        vaeBlock(vae + "encoder.down.1.block.0")
        mid("encoder")
        affine(vae + "encoder.norm_out", c)
        layer(vae + "encoder.conv_out", [8, c, 3, 3])
        layer(vae + "quant_conv", [8, 8, 1, 1])
        layer(vae + "post_quant_conv", [4, 4, 1, 1])
        layer(vae + "decoder.conv_in", [c, 4, 3, 3])
        mid("decoder")
        for level in 0 ... 1 {
            for j in 0 ... 1 { vaeBlock(vae + "decoder.up.\(level).block.\(j)") }
        }
        layer(vae + "decoder.up.1.upsample.conv", [c, c, 3, 3])
        affine(vae + "decoder.norm_out", c)
        layer(vae + "decoder.conv_out", [3, c, 3, 3])

        let text = LDMTextEncoderLayout.Kind.openCLIP.prefix
        add(text + "token_embedding.weight", [10, width])
        add(text + "positional_embedding", [5, width])
        affine(text + "ln_final", width)
        for i in 0 ... 1 {
            let block = text + "transformer.resblocks.\(i)"
            affine(block + ".ln_1", width)
            add(block + ".attn.in_proj_weight", [3 * width, width])
            add(block + ".attn.in_proj_bias", [3 * width])
            layer(block + ".attn.out_proj", [width, width])
            affine(block + ".ln_2", width)
            layer(block + ".mlp.c_fc", [2 * width, width])
            layer(block + ".mlp.c_proj", [width, 2 * width])
        }
        add(text + "text_projection", [width, width])
        add(text + "logit_scale", [])
        add("betas", [4])
        add("alphas_cumprod", [4])
        add("model_ema.decay", [])
        add("model_ema.diffusion_modelout2bias", [4])
        return out
    }

    /// The checkpoint as safetensors bytes, `edit` applied to the tensor list first.
    static func bytes(_ edit: (inout [(name: String, shape: [Int])]) -> Void = { _ in }) throws -> [UInt8] {
        var tensors = shapes()
        edit(&tensors)
        var writer = SafeTensorsWriter()
        var next: Float = 0
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            try writer.add(name, shape: shape, values: (0 ..< count).map { next + Float($0) })
            next += Float(count)
        }
        return writer.bytes()
    }
}
