import Testing
@testable import RestoreKitCore

/// Layers that move values: Concat, Split, Crop, Padding, PixelShuffle, Interp.
@Suite struct ShapeLayerTests {
    @Test func concatAlongEachAxis() throws {
        let a = try NNTest.tensor(2, 3, 4, seed: 1), b = try NNTest.tensor(3, 3, 4, seed: 2)
        let c = try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=0"), [a, b])[0]
        #expect(c.channels == 5 && c[1, 2, 1] == a[1, 2, 1] && c[3, 0, 4] == b[3, 0, 2])
        let rows = try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=1"), [a, try NNTest.tensor(2, 2, 4)])[0]
        #expect(rows.height == 5 && rows[2, 2, 1] == a[2, 2, 1])
        let d = try NNTest.tensor(2, 3, 1, seed: 3)
        let columns = try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=-1"), [a, d])[0]
        #expect(columns.width == 5 && columns[4, 1, 0] == d[0, 1, 0] && columns[3, 1, 0] == a[3, 1, 0])
        #expect(throws: RestoreError.self) { try NNTest.run(try NNTest.layer(ConcatLayer.self, "0=0"), [a, d]) }
    }

    @Test func splitSharesStorage() throws {
        let a = try NNTest.tensor(2, 3, 4)
        let outs = try NNTest.run(try NNTest.layer(SplitLayer.self, ""), [a], outputs: 3)
        #expect(outs.count == 3 && outs.allSatisfy { $0.pointer == a.pointer })
    }

    @Test func cropByOffsetsReferenceAndSlices() throws {
        let x = try NNTest.tensor(5, 8, 9)
        let byOffsets = try NNTest.run(try NNTest.layer(CropLayer.self, "0=2 1=1 2=1 3=4 4=-233 5=2"), [x])[0]
        #expect(byOffsets.width == 4 && byOffsets.height == 7 && byOffsets.channels == 2)
        #expect(byOffsets[3, 6, 1] == x[5, 7, 2])
        let reference = try NNTest.tensor(5, 4, 4)
        let byReference = try NNTest.run(try NNTest.layer(CropLayer.self, "0=4 1=4"), [x, reference])[0]
        #expect(byReference.width == 4 && byReference[0, 0, 0] == x[4, 4, 0] && byReference[3, 3, 4] == x[7, 7, 4])
        let sliced = try NNTest.run(try NNTest.layer(CropLayer.self, "-23309=2,1,-3 -23310=2,-1,-233 -23311=2,0,2"), [x])[0]
        #expect(sliced.channels == 3 && sliced.width == 3 && sliced.height == 8 && sliced[0, 5, 0] == x[6, 5, 1])
        #expect(throws: RestoreError.self) { try NNTest.run(try NNTest.layer(CropLayer.self, "0=10 3=4 4=-233 5=-233"), [x]) }
    }

    @Test func paddingTypes() throws {
        let x = try NNTest.tensor(2, 3, 4)
        let constant = try NNTest.run(try NNTest.layer(PaddingLayer.self, "0=1 1=2 2=3 3=1 5=0.5 7=1"), [x])[0]
        #expect(constant.height == 6 && constant.width == 8 && constant.channels == 3)
        #expect(constant[0, 0, 1] == 0.5 && constant[3, 1, 1] == x[0, 0, 0] && constant[4, 2, 0] == 0.5)
        let replicate = try NNTest.run(try NNTest.layer(PaddingLayer.self, "0=2 2=2 4=1"), [x])[0]
        #expect(replicate[0, 0, 1] == x[0, 0, 1] && replicate[5, 1, 0] == x[3, 0, 0])
        let reflect = try NNTest.run(try NNTest.layer(PaddingLayer.self, "0=2 3=2 4=2"), [x])[0]
        #expect(reflect[1, 0, 0] == x[1, 2, 0] && reflect[4, 2, 1] == x[2, 0, 1] && reflect[5, 3, 0] == x[1, 1, 0])
        let perChannel = try NNTest.layer(PaddingLayer.self, "0=1 6=2", [.raw([7, 8])])
        let p = try NNTest.run(perChannel, [x])[0]
        #expect(p[0, 0, 0] == 7 && p[2, 0, 1] == 8)
    }

    @Test func pixelShuffleModes() throws {
        let x = try NNTest.tensor(8, 2, 3)
        let torch = try NNTest.run(try NNTest.layer(PixelShuffleLayer.self, "0=2"), [x])[0]
        let dcr = try NNTest.run(try NNTest.layer(PixelShuffleLayer.self, "0=2 1=1"), [x])[0]
        #expect(torch.channels == 2 && torch.height == 4 && torch.width == 6)
        // Output channel 1 at sub-position (1, 0): PyTorch reads channel 1·4 + 1·2 + 0, DCR (1·2 + 0)·2 + 1.
        #expect(torch[4, 3, 1] == x[2, 1, 6] && dcr[4, 3, 1] == x[2, 1, 5])
        #expect(throws: RestoreError.self) { try NNTest.run(try NNTest.layer(PixelShuffleLayer.self, "0=3"), [x]) }
    }

    @Test func interpNearestAndBilinear() throws {
        let x = try NNTest.tensor(3, 4, 5)
        let nearest = try NNTest.run(try NNTest.layer(InterpLayer.self, "0=1 1=2.0 2=2.0"), [x])[0]
        #expect(nearest.height == 8 && nearest.width == 10)
        for y in 0 ..< 8 { for i in 0 ..< 10 { #expect(nearest[i, y, 2] == x[i / 2, y / 2, 2]) } }
        let bilinear = try NNTest.run(try NNTest.layer(InterpLayer.self, "0=2 3=7 4=9"), [x])[0]
        #expect(bilinear.height == 7 && bilinear.width == 9)
        // Output (i + ½)·5/9 − ½ for i = 4 is 2.0: exactly column 2; row 3: (3.5)·4/7 − ½ = 1.5.
        let expected = (x[2, 1, 0] + x[2, 2, 0]) / 2
        #expect(abs(bilinear[4, 3, 0] - expected) < 1e-6)
        let aligned = try NNTest.run(try NNTest.layer(InterpLayer.self, "0=2 3=7 4=9 6=1"), [x])[0]
        #expect(aligned[0, 0, 1] == x[0, 0, 1] && abs(aligned[8, 6, 1] - x[4, 3, 1]) < 1e-6)
        let reference = try NNTest.tensor(1, 2, 3)
        let sized = try NNTest.run(try NNTest.layer(InterpLayer.self, "0=2"), [x, reference])[0]
        #expect(sized.height == 2 && sized.width == 3)
        #expect(throws: RestoreError.self) { try NNTest.layer(InterpLayer.self, "0=4") }
        // A scale that would make more than 4 GiB of floats is refused before allocating (ncnn fuzz target).
        let error = #expect(throws: RestoreError.self) {
            try NNTest.run(try NNTest.layer(InterpLayer.self, "0=1 1=9000.0 2=9000.0"), [x])
        }
        #expect(error?.kind == .outOfMemory && error?.message.contains("limit of 4 GiB") == true)
    }

    @Test func interpBicubic() throws {
        let x = try NNTest.tensor(2, 6, 7)
        let smaller = try NNTest.run(try NNTest.layer(InterpLayer.self, "0=3 1=0.75 2=0.75"), [x])[0]
        #expect(smaller.height == 4 && smaller.width == 5)
        // Output (2, 1): column (2.5)·7/5 − ½ = 3 exactly; row (1.5)·6/4 − ½ = 1.75, between rows 1 and 2.
        func keys(_ t: Float) -> Float {
            let t = abs(t), a: Float = -0.75
            return t <= 1 ? (a + 2) * t * t * t - (a + 3) * t * t + 1 : a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a
        }
        let expected = (0 ..< 4).reduce(Float(0)) { $0 + keys(1.75 - Float($1)) * x[3, $1, 1] }
        #expect(abs(smaller[2, 1, 1] - expected) < 1e-5)
        // Folded border taps still sum to 1: a constant stays constant, enlarged or shrunk.
        let constant = try NNTest.tensor(1, 5, 4)
        for i in 0 ..< 20 { constant.pointer[i] = 0.25 }
        for params in ["0=3 1=3.0 2=2.5", "0=3 3=4 4=4", "0=3 3=9 4=13 6=1"] {
            let resized = try NNTest.run(try NNTest.layer(InterpLayer.self, params), [constant])[0]
            for i in 0 ..< resized.height * resized.width { #expect(abs(resized.pointer[i] - 0.25) < 1e-6) }
        }
        #expect(throws: RestoreError.self) { try NNTest.run(try NNTest.layer(InterpLayer.self, "0=3 1=2.0 2=2.0"), [try NNTest.tensor(1, 3, 8)]) }
    }
}
