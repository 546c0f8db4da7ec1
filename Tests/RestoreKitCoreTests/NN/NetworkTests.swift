import Testing
@testable import RestoreKitCore

@Suite struct NetworkTests {
    /// A dense block in the style of Real-ESRGAN's RRDB: split, concatenations
    /// feeding convolutions, a weighted residual sum.
    static let param = """
        7767517
        9 13
        Input            in      0 1 data 2=4
        Convolution      c0      1 1 data f 0=6 1=3 4=1 5=1 6=216
        Split            s0      1 3 f f0 f1 f2
        Convolution      c1      1 1 f0 g 0=5 1=3 4=1 5=1 6=270 9=2 -23310=1,0.2
        Split            s1      1 2 g g0 g1
        Concat           cat     2 1 f1 g0 fg
        Convolution      c2      1 1 fg h 0=6 1=3 4=1 5=1 6=594
        Eltwise          sum     2 1 h f2 e 0=1 -23301=2,0.2,1.0
        Concat           cat2    2 1 e g1 out
        """

    static let weights: [NNTest.Block] = [
        .half(NNTest.values(216, seed: 1)), .raw(NNTest.values(6, seed: 2)),
        .half(NNTest.values(270, seed: 3)), .raw(NNTest.values(5, seed: 4)),
        .tagged(NNTest.values(594, seed: 5)), .raw(NNTest.values(6, seed: 6)),
    ]

    static func network(param: String = param, weights: [UInt8] = NNTest.bin(weights)) throws -> Network {
        try Network(param: param, weights: weights, paramFile: "block.param", weightsFile: "block.bin")
    }

    /// The same computation layer by layer, with the concatenation materialised.
    static func reference(_ x: Tensor) throws -> Tensor {
        func conv(_ x: Tensor, _ outputs: Int, _ w: [Float], _ b: [Float]) throws -> Tensor {
            try NNTest.convolution(x, weights: w.map { Float(Float16($0)) }, bias: b, outputs: outputs,
                                   kernel: (3, 3), pad: (1, 1, 1, 1))
        }
        let f = try conv(x, 6, NNTest.values(216, seed: 1), NNTest.values(6, seed: 2))
        let g = try conv(f, 5, NNTest.values(270, seed: 3), NNTest.values(5, seed: 4))
        Activation.leakyReLU(slope: 0.2).apply(g.pointer, count: g.count)
        let fg = try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=0"), [f, g])[0]
        let h = try NNTest.convolution(fg, weights: NNTest.values(594, seed: 5), bias: NNTest.values(6, seed: 6),
                                       outputs: 6, kernel: (3, 3), pad: (1, 1, 1, 1))
        let e = try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=1 -23301=2,0.2,1.0"), [h, f])[0]
        return try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=0"), [e, g])[0]
    }

    @Test func runsTheGraphAndIntermediateOutputs() throws {
        let net = try Self.network()
        let x = try NNTest.tensor(4, 23, 19)
        let expected = try Self.reference(x)
        for threads in [1, 2] {
            let statistics = NetworkStatistics()
            var fractions: [Double] = []
            let out = try net.forward(["data": x], output: "out", threads: threads,
                                      progress: { fractions.append($0) }, statistics: statistics)
            #expect(NNTest.maxDifference(out, expected) < 5e-5)
            #expect(fractions.first == 0 && fractions.last == 1 && fractions == fractions.sorted())
            #expect(statistics.multiplyAdds == Double(23 * 19 * 9 * (4 * 6 + 6 * 5 + 11 * 6)))
        }
        let g = try net.forward(["data": x], output: "g1", threads: 2)
        #expect(g.channels == 5)
        #expect(net.inputNames == ["data"])
    }

    @Test func cancellationFromProgress() throws {
        struct Stop: Error {}
        let net = try Self.network()
        #expect(throws: Stop.self) {
            try net.forward(["data": try NNTest.tensor(4, 8, 8)], output: "out", threads: 1,
                            progress: { if $0 > 0.3 { throw Stop() } })
        }
    }

    @Test func inputErrors() throws {
        let net = try Self.network()
        #expect(throws: RestoreError.self) { try net.forward([:], output: "out", threads: 1) }
        #expect(throws: RestoreError.self) { try net.forward(["data": try NNTest.tensor(3, 8, 8)], output: "out", threads: 1) }
        #expect(throws: RestoreError.self) { try net.forward(["data": try NNTest.tensor(4, 8, 8)], output: "nope", threads: 1) }
    }

    @Test func loadErrorsNameTheLayer() throws {
        func message(_ param: String, _ weights: [UInt8]) -> String {
            do { _ = try Self.network(param: param, weights: weights); return "" } catch let e as RestoreError {
                #expect(e.kind == .model)
                return e.message
            } catch { return "\(error)" }
        }
        let bin = NNTest.bin(Self.weights)
        #expect(message(Self.param.replacingOccurrences("Eltwise  ", "Eltwize  "), bin).contains("unknown layer type 'Eltwize'"))
        let truncated = message(Self.param, Array(bin.dropLast(40)))
        #expect(truncated.contains("block.bin") && truncated.contains("layer 'c2'") && truncated.contains("byte offset"))
        #expect(message(Self.param, bin + [0, 0, 0, 0]).contains("4 bytes left over"))
        #expect(message(Self.param.replacingOccurrences("6=594", "6=590"), bin).contains("layer 'c2'"))
        #expect(message(Self.param.replacingOccurrences("Eltwise          sum     2 1", "Eltwise          sum     2 2"), bin).contains("line"))
        #expect(message(Self.param.replacingOccurrences("cat2    2 1 e g1", "cat2    0 1"), bin).contains("layer 'cat2'"))
    }

    /// Truncated and bit-flipped files must fail with an error (or load, when
    /// the flip is harmless), never crash; run under AddressSanitizer in `make test`.
    @Test func corruptFilesNeverCrash() throws {
        let paramBytes = Array(Self.param.utf8), bin = NNTest.bin(Self.weights)
        var generator = SeededGenerator(seed: 42)
        let x = try NNTest.tensor(4, 9, 7)
        func attempt(_ p: [UInt8], _ w: [UInt8]) {
            guard let net = try? Network(param: String(decoding: p, as: UTF8.self), weights: w,
                                         paramFile: "p", weightsFile: "w") else { return }
            _ = try? net.forward(["data": x], output: "out", threads: 2)
        }
        for cut in stride(from: 0, to: paramBytes.count, by: 7) { attempt(Array(paramBytes[..<cut]), bin) }
        for cut in stride(from: 0, to: bin.count, by: 13) { attempt(paramBytes, Array(bin[..<cut])) }
        for _ in 0 ..< 300 {
            var p = paramBytes, w = bin
            if Bool.random(using: &generator) {
                let i = Int.random(in: 0 ..< p.count, using: &generator)
                p[i] ^= UInt8(1 << Int.random(in: 0 ..< 7, using: &generator))
            } else {
                let i = Int.random(in: 0 ..< w.count, using: &generator)
                w[i] ^= UInt8(1 << Int.random(in: 0 ..< 8, using: &generator))
            }
            attempt(p, w)
        }
    }
}

private extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
