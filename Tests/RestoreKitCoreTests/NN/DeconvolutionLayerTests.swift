import Testing
@testable import RestoreKitCore

@Suite struct DeconvolutionLayerTests {
    /// Scatter-add reference: out[i·s + k·d] += in[i] · w, then the padding cut.
    static func reference(_ x: Tensor, _ w: [Float], _ b: [Float], outputs: Int, kernel: Int, stride: Int,
                          dilation: Int, pad: Int, extra: Int) throws -> Tensor {
        let full = (x.height - 1) * stride + dilation * (kernel - 1) + 1 + extra
        let fullW = (x.width - 1) * stride + dilation * (kernel - 1) + 1 + extra
        var sums = [Double](repeating: 0, count: full * fullW * outputs)
        for o in 0 ..< outputs {
            for y in 0 ..< x.height {
                for xx in 0 ..< x.width {
                    for i in 0 ..< x.channels {
                        for ky in 0 ..< kernel {
                            for kx in 0 ..< kernel {
                                let fy = y * stride + ky * dilation, fx = xx * stride + kx * dilation
                                sums[(fy * fullW + fx) * outputs + o] += Double(x[xx, y, i])
                                    * Double(w[((o * x.channels + i) * kernel + ky) * kernel + kx])
                            }
                        }
                    }
                }
            }
        }
        let out = try Tensor(height: full - 2 * pad, width: fullW - 2 * pad, channels: outputs)
        for y in 0 ..< out.height {
            for xx in 0 ..< out.width {
                for o in 0 ..< outputs { out[xx, y, o] = Float(sums[((y + pad) * fullW + xx + pad) * outputs + o]) + b[o] }
            }
        }
        return out
    }

    @Test(arguments: [(4, 2, 1, 3, 0), (3, 1, 1, 1, 0), (3, 2, 2, 0, 1), (2, 2, 1, 0, 0), (5, 3, 1, 2, 1)])
    func matchesScatterReference(_ c: (kernel: Int, stride: Int, dilation: Int, pad: Int, extra: Int)) throws {
        let inputs = 7, outputs = 3
        let w = NNTest.values(outputs * inputs * c.kernel * c.kernel), b = NNTest.values(outputs, seed: 4)
        let layer = try NNTest.layer(DeconvolutionLayer.self,
                                     "0=\(outputs) 1=\(c.kernel) 2=\(c.dilation) 3=\(c.stride) 4=\(c.pad) 18=\(c.extra) 5=1 6=\(w.count)",
                                     [.tagged(w), .raw(b)])
        let x = try NNTest.tensor(inputs, 9, 10)
        let expected = try Self.reference(x, w, b, outputs: outputs, kernel: c.kernel, stride: c.stride,
                                          dilation: c.dilation, pad: c.pad, extra: c.extra)
        for threads in [1, 2] {
            #expect(NNTest.maxDifference(try NNTest.run(layer, [x], threads: threads)[0], expected) < 2e-5, "\(c)")
        }
    }
}
