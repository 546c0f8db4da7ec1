@testable import RestoreKitCore

/// Builders and naive reference implementations for the engine's tests.
enum NNTest {
    /// A reproducible tensor of values in [-1, 1].
    static func tensor(_ channels: Int, _ height: Int, _ width: Int, seed: UInt64 = 1) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let t = try Tensor(height: height, width: width, channels: channels)
        for i in 0 ..< t.count { t.pointer[i] = Float.random(in: -1 ... 1, using: &generator) }
        return t
    }

    /// Reproducible weights in [-0.5, 0.5].
    static func values(_ count: Int, seed: UInt64 = 7) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0 ..< count).map { _ in Float.random(in: -0.5 ... 0.5, using: &generator) }
    }

    /// Parameters from `.param` syntax ("0=8 1=3 -23310=1,0.2").
    static func params(_ text: String) throws -> ParamDict {
        try ParamDict.parse(text.split(separator: " "))
    }

    /// A `.bin` image of weight blocks: tagged float32 (or float16) blocks and raw blocks.
    enum Block {
        case tagged([Float])
        case half([Float])
        case raw([Float])
    }

    static func bin(_ blocks: [Block]) -> [UInt8] {
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        for block in blocks {
            switch block {
            case .tagged(let values):
                u32(0)
                values.forEach { u32($0.bitPattern) }
            case .raw(let values):
                values.forEach { u32($0.bitPattern) }
            case .half(let values):
                u32(0x0130_6B47)
                for v in values {
                    let h = Float16(v).bitPattern
                    bytes += [UInt8(h & 0xFF), UInt8(h >> 8)]
                }
                if values.count % 2 == 1 { bytes += [0, 0] }
            }
        }
        return bytes
    }

    /// A layer of type `L` from parameter text and weight blocks.
    static func layer<L: Layer>(_ type: L.Type, _ params: String, _ blocks: [Block] = []) throws -> L {
        var reader = ModelBinReader(bytes: bin(blocks), file: "test.bin")
        let layer = try L(params: try self.params(params), weights: &reader)
        precondition(reader.isAtEnd, "weights left over")
        return layer
    }

    /// Runs `layer` on `inputs` with `threads` workers.
    static func run(_ layer: some Layer, _ inputs: [Tensor], threads: Int = 2, outputs: Int = 1) throws -> [Tensor] {
        var arguments = inputs
        return try layer.forward(&arguments, context: ForwardContext(threads: threads, workspace: Workspace(workers: threads),
                                                                     outputCount: outputs))
    }

    /// The largest absolute difference (infinity when the shapes differ).
    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.hasShape(of: b) else { return .infinity }
        var worst: Float = 0
        for i in 0 ..< a.count { worst = max(worst, abs(a.pointer[i] - b.pointer[i])) }
        return worst
    }

    /// The largest absolute value.
    static func maxMagnitude(_ t: Tensor) -> Float {
        (0 ..< t.count).reduce(0) { max($0, abs(t.pointer[$1])) }
    }

    /// Direct convolution with ncnn's weight layout (outputs × inputs/groups × kh × kw).
    static func convolution(_ x: Tensor, weights: [Float], bias: [Float]?, outputs: Int, kernel: (w: Int, h: Int),
                            stride: (w: Int, h: Int) = (1, 1), dilation: (w: Int, h: Int) = (1, 1),
                            pad: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0), groups: Int = 1,
                            padValue: Float = 0) throws -> Tensor {
        let oh = (x.height + pad.top + pad.bottom - dilation.h * (kernel.h - 1) - 1) / stride.h + 1
        let ow = (x.width + pad.left + pad.right - dilation.w * (kernel.w - 1) - 1) / stride.w + 1
        let out = try Tensor(height: oh, width: ow, channels: outputs)
        let cin = x.channels / groups, cout = outputs / groups
        for o in 0 ..< outputs {
            let g = o / cout
            for oy in 0 ..< oh {
                for ox in 0 ..< ow {
                    var sum = Double(bias?[o] ?? 0)
                    for i in 0 ..< cin {
                        for ky in 0 ..< kernel.h {
                            for kx in 0 ..< kernel.w {
                                let iy = oy * stride.h - pad.top + ky * dilation.h
                                let ix = ox * stride.w - pad.left + kx * dilation.w
                                let v = iy >= 0 && iy < x.height && ix >= 0 && ix < x.width ? x[ix, iy, g * cin + i] : padValue
                                sum += Double(v) * Double(weights[((o * cin + i) * kernel.h + ky) * kernel.w + kx])
                            }
                        }
                    }
                    out[ox, oy, o] = Float(sum)
                }
            }
        }
        return out
    }
}
