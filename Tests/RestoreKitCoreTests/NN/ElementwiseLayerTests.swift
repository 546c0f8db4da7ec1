#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore

/// BinaryOp, Eltwise and the activations.
@Suite struct ElementwiseLayerTests {
    @Test func binaryOpsWithBroadcasting() throws {
        let a = try NNTest.tensor(4, 3, 5, seed: 1), b = try NNTest.tensor(4, 3, 5, seed: 2)
        let ops: [(Int, (Float, Float) -> Float)] = [(0, +), (1, -), (2, *), (3, /), (4, { max($0, $1) }),
                                                     (5, { min($0, $1) }), (7, { $1 - $0 }), (8, { $1 / $0 }),
                                                     (10, { atan2f($0, $1) })]
        for (code, op) in ops {
            let out = try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=\(code)"), [a, b])[0]
            #expect(out[3, 2, 1] == op(a[3, 2, 1], b[3, 2, 1]), "op \(code)")
        }
        let perChannel = try NNTest.tensor(4, 1, 1, seed: 3), row = try NNTest.tensor(1, 1, 5, seed: 4)
        let c = try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=0"), [a, perChannel])[0]
        #expect(c[2, 1, 3] == a[2, 1, 3] + perChannel[0, 0, 3])
        let d = try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=2"), [row, a])[0]
        #expect(d.channels == 4 && d[4, 2, 2] == row[4, 0, 0] * a[4, 2, 2])
        let s = try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=6 1=1 2=2.0"), [b])[0]
        #expect(s[1, 1, 1] == powf(b[1, 1, 1], 2))
        #expect(throws: RestoreError.self) {
            try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=0"), [a, try NNTest.tensor(3, 3, 5)])
        }
    }

    @Test func inPlaceOnlyWhenUnshared() throws {
        let a = try NNTest.tensor(2, 2, 2), b = try NNTest.tensor(2, 2, 2, seed: 5)
        let before = a[1, 1, 1]
        _ = try NNTest.run(try NNTest.layer(BinaryOpLayer.self, "0=0"), [a, b])
        #expect(a[1, 1, 1] == before) // `a` is still referenced here, so it was not overwritten
    }

    @Test func eltwiseProductSumMax() throws {
        let a = try NNTest.tensor(3, 4, 4, seed: 1), b = try NNTest.tensor(3, 4, 4, seed: 2)
        let sum = try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=1 -23301=2,0.2,1.0"), [a, b])[0]
        #expect(sum[2, 3, 1] == a[2, 3, 1] * 0.2 + b[2, 3, 1])
        let product = try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=0"), [a, b, a])[0]
        #expect(product[0, 1, 2] == a[0, 1, 2] * b[0, 1, 2] * a[0, 1, 2])
        let maximum = try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=2"), [a, b])[0]
        #expect(maximum[3, 3, 0] == max(a[3, 3, 0], b[3, 3, 0]))
        #expect(throws: RestoreError.self) { try NNTest.run(try NNTest.layer(EltwiseLayer.self, "0=1 -23301=1,2.0"), [a, b]) }
    }

    @Test func activations() throws {
        let x = try NNTest.tensor(3, 5, 7)
        func check(_ layer: some Layer, _ f: (Float, Int) -> Float) throws {
            let out = try NNTest.run(layer, [x])[0]
            for i in 0 ..< x.count { #expect(abs(out.pointer[i] - f(x.pointer[i], i % 3)) < 1e-6) }
        }
        try check(try NNTest.layer(ReLULayer.self, "")) { v, _ in max(v, 0) }
        try check(try NNTest.layer(ReLULayer.self, "0=0.1")) { v, _ in v < 0 ? v * 0.1 : v }
        try check(try NNTest.layer(SigmoidLayer.self, "")) { v, _ in 1 / (1 + expf(-v)) }
        try check(try NNTest.layer(ClipLayer.self, "0=-0.25 1=0.5")) { v, _ in min(max(v, -0.25), 0.5) }
        try check(try NNTest.layer(PReLULayer.self, "0=3", [.raw([0.1, 0.2, 0.3])])) { v, c in v < 0 ? v * [0.1, 0.2, 0.3][c] : v }
        try check(try NNTest.layer(PReLULayer.self, "0=1", [.raw([0.5])])) { v, _ in v < 0 ? v * 0.5 : v }
        #expect(throws: RestoreError.self) {
            try NNTest.run(try NNTest.layer(PReLULayer.self, "0=2", [.raw([0.1, 0.2])]), [x])
        }
    }
}
