import Testing
@testable import RestoreKitCore

@Suite struct ConvolutionLayerTests {
    struct Case: CustomStringConvertible, Sendable {
        var inputs = 5, outputs = 11, height = 13, width = 17
        var kernel = (w: 3, h: 3), stride = (w: 1, h: 1), dilation = (w: 1, h: 1)
        var pad = (top: 1, bottom: 1, left: 1, right: 1)
        var activation = ""
        var description: String { "\(inputs)→\(outputs) k\(kernel) s\(stride) d\(dilation) pad\(pad) \(activation)" }

        var params: String {
            "0=\(outputs) 1=\(kernel.w) 11=\(kernel.h) 2=\(dilation.w) 12=\(dilation.h) 3=\(stride.w) 13=\(stride.h) "
                + "4=\(pad.left) 15=\(pad.right) 14=\(pad.top) 16=\(pad.bottom) 5=1 6=\(outputs * inputs * kernel.w * kernel.h)"
                + (activation.isEmpty ? "" : " " + activation)
        }
    }

    static let cases: [Case] = {
        var list: [Case] = [Case()]
        var c = Case(); c.pad = (0, 0, 0, 0); list.append(c)                        // waifu2x-style valid convolution
        c = Case(); c.inputs = 19; c.outputs = 8; c.height = 30; c.width = 31; list.append(c)  // SRMD-like input channels
        c = Case(); c.inputs = 64; c.outputs = 32; c.height = 20; c.width = 9; c.activation = "9=2 -23310=1,0.2"; list.append(c)
        c = Case(); c.pad = (2, 0, 1, 3); list.append(c)                            // asymmetric padding
        c = Case(); c.kernel = (1, 1); c.pad = (0, 0, 0, 0); c.activation = "9=1"; list.append(c)
        c = Case(); c.kernel = (5, 3); c.stride = (2, 1); c.pad = (2, 1, 2, 2); list.append(c)
        c = Case(); c.dilation = (2, 2); c.pad = (2, 2, 2, 2); list.append(c)
        c = Case(); c.stride = (2, 2); c.activation = "9=3 -23310=2,-0.1,0.1"; list.append(c)
        c = Case(); c.height = 1; c.width = 1; list.append(c)
        c = Case(); c.height = 2; c.width = 3; c.pad = (0, 0, 0, 0); c.kernel = (2, 2); list.append(c)
        return list
    }()

    @Test(arguments: cases)
    func matchesDirectConvolution(_ c: Case) throws {
        let w = NNTest.values(c.outputs * c.inputs * c.kernel.w * c.kernel.h)
        let b = NNTest.values(c.outputs, seed: 3)
        let layer = try NNTest.layer(ConvolutionLayer.self, c.params, [.tagged(w), .raw(b)])
        let x = try NNTest.tensor(c.inputs, c.height, c.width)
        let expected = try NNTest.convolution(x, weights: w, bias: b, outputs: c.outputs, kernel: c.kernel,
                                              stride: c.stride, dilation: c.dilation, pad: c.pad)
        let activation = try Activation(params: try NNTest.params(c.params))
        activation.apply(expected.pointer, count: expected.count)
        // Winograd F(6×6) rounds at about 1e-5 of the values' magnitude in float32.
        let tolerance = 2e-5 * max(1, NNTest.maxMagnitude(expected))
        for threads in [1, 3] {
            let got = try NNTest.run(layer, [x], threads: threads)[0]
            #expect(NNTest.maxDifference(got, expected) < tolerance, "\(c), \(threads) threads")
        }
    }

    @Test func winogradOnLargerImagesAndFoldedConcatenation() throws {
        // Several tile blocks per thread, and the input given as parts side by side.
        let w = NNTest.values(24 * 40 * 9), b = NNTest.values(24, seed: 5)
        let layer = try NNTest.layer(ConvolutionLayer.self, "0=24 1=3 4=1 5=1 6=\(24 * 40 * 9)", [.half(w), .raw(b)])
        let parts = [try NNTest.tensor(19, 70, 53, seed: 1), try NNTest.tensor(21, 70, 53, seed: 2)]
        let joined = try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=0"), parts)[0]
        let halfWeights = w.map { Float(Float16($0)) }
        let expected = try NNTest.convolution(joined, weights: halfWeights, bias: b, outputs: 24, kernel: (3, 3),
                                              pad: (1, 1, 1, 1))
        let whole = try NNTest.run(layer, [joined])[0]
        let context = ForwardContext(threads: 2, workspace: Workspace(workers: 2), outputCount: 1)
        let folded = try layer.forward(parts: parts, context: context)
        let tolerance = 2e-5 * NNTest.maxMagnitude(expected)
        #expect(NNTest.maxDifference(whole, expected) < tolerance)
        // Parts sum in a different order than one joined input: equal up to rounding.
        #expect(NNTest.maxDifference(folded, whole) < tolerance)
        // Kept transforms are reused by the next reader with the same tiling and give the same result.
        let kept = try layer.forward(parts: parts, keepTransforms: [true, false], context: context)
        #expect(parts[0].storage.derived is WinogradInputCache && parts[1].storage.derived == nil)
        let reused = try layer.forward(parts: parts, keepTransforms: [true, true], context: context)
        #expect(NNTest.maxDifference(kept, folded) == 0 && NNTest.maxDifference(reused, folded) == 0)
        // The residual sum equals the Eltwise it replaces.
        let residual = try NNTest.tensor(24, 70, 53, seed: 8)
        let summed = try layer.forward(parts: parts, residual: ResidualSum(tensor: residual, outputScale: 0.2, residualScale: 1),
                                       context: context)
        let eltwise = try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=1 -23301=2,0.2,1.0"), [folded, residual])[0]
        #expect(NNTest.maxDifference(summed, eltwise) == 0)
    }

    @Test(arguments: [(48, 48), (32, 32), (30, 17), (12, 12), (5, 40)])
    func rawWeightsPickTheirKernelByOutputSize(_ size: (height: Int, width: Int)) throws {
        // A large model's convolution (raw weights): F(6×6) at 48², F(4×4) at 32², im2col split by
        // output channels below that; all equal the direct convolution.
        let inputs = 6, outputs = 136
        let w = NNTest.values(outputs * inputs * 9), b = NNTest.values(outputs, seed: 3)
        let layer = try ConvolutionLayer(geometry: ConvolutionGeometry(kernel: 3, padding: 1), outputs: outputs,
                                         raw: CompactWeights(w), bias: b, activation: .silu)
        let x = try NNTest.tensor(inputs, size.height, size.width)
        let expected = try NNTest.convolution(x, weights: w, bias: b, outputs: outputs, kernel: (3, 3), pad: (1, 1, 1, 1))
        Activation.silu.apply(expected.pointer, count: expected.count)
        let tolerance = 2e-5 * max(1, NNTest.maxMagnitude(expected))
        for threads in [1, 2] {
            let got = try NNTest.run(layer, [x], threads: threads)[0]
            #expect(NNTest.maxDifference(got, expected) < tolerance, "\(size), \(threads) threads")
        }
    }

    @Test func depthwiseAndGroupedConvolution() throws {
        for (groups, inputs, outputs) in [(6, 6, 6), (2, 6, 4), (3, 9, 12)] {
            let k = outputs * inputs / groups * 9
            let w = NNTest.values(k), b = NNTest.values(outputs, seed: 9)
            let layer = try NNTest.layer(ConvolutionDepthWiseLayer.self,
                                         "0=\(outputs) 1=3 3=2 4=1 5=1 6=\(k) 7=\(groups) 9=1", [.tagged(w), .raw(b)])
            let x = try NNTest.tensor(inputs, 11, 12)
            let expected = try NNTest.convolution(x, weights: w, bias: b, outputs: outputs, kernel: (3, 3),
                                                  stride: (2, 2), pad: (1, 1, 1, 1), groups: groups)
            Activation.relu.apply(expected.pointer, count: expected.count)
            #expect(NNTest.maxDifference(try NNTest.run(layer, [x])[0], expected) < 2e-5, "groups \(groups)")
        }
    }

    @Test func rejectsMismatchedInputsAndWeights() throws {
        let layer = try NNTest.layer(ConvolutionLayer.self, "0=2 1=3 6=36", [.tagged(NNTest.values(36))])
        #expect(throws: RestoreError.self) { try NNTest.run(layer, [try NNTest.tensor(3, 5, 5)]) }
        #expect(throws: RestoreError.self) { try NNTest.run(layer, [try NNTest.tensor(2, 2, 5)]) }
        #expect(throws: RestoreError.self) { try NNTest.layer(ConvolutionLayer.self, "0=2 1=3 6=35", [.tagged(NNTest.values(35))]) }
        #expect(throws: RestoreError.self) { try NNTest.layer(ConvolutionLayer.self, "0=2 1=0 6=36", [.tagged(NNTest.values(36))]) }
        #expect(throws: RestoreError.self) { try NNTest.layer(ConvolutionLayer.self, "0=2 1=3 6=36 9=12", [.tagged(NNTest.values(36))]) }
    }
}
