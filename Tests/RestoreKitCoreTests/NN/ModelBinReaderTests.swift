import Testing
@testable import RestoreKitCore

@Suite struct ModelBinReaderTests {
    @Test func float16ConversionIsExactForEveryBitPattern() {
        for bits in 0 ... UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let got = Float16Bits.toFloat(bits)
            #expect(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN),
                    "half 0x\(String(bits, radix: 16))")
        }
    }

    @Test func taggedRawAndHalfBlocksWithAlignment() throws {
        let half: [Float] = [1, -2.5, 0.099975586]
        var reader = ModelBinReader(bytes: NNTest.bin([.half(half), .tagged([3, 4]), .raw([5])]), file: "w.bin")
        #expect(try reader.loadTagged(3) == half)
        #expect(reader.offset == 4 + 8) // 6 bytes of halves padded to 8
        #expect(try reader.loadTagged(2) == [3, 4])
        #expect(try reader.loadRaw(1) == [5])
        #expect(reader.isAtEnd)
    }

    @Test func codebookQuantisedWeights() throws {
        var bytes: [UInt8] = [1, 0, 0, 0]
        for i in 0 ..< 256 { withUnsafeBytes(of: Float(i) * 0.5) { bytes += $0 } }
        bytes += [3, 0, 255, 0] // three indices, padded to 4
        var reader = ModelBinReader(bytes: bytes, file: "q.bin")
        #expect(try reader.loadTagged(3) == [1.5, 0, 127.5])
        #expect(reader.isAtEnd)
    }

    @Test func truncationAndUnsupportedTagsNameLayerAndOffset() {
        var reader = ModelBinReader(bytes: NNTest.bin([.tagged([1, 2])]), file: "w.bin")
        reader.layer = "conv7"
        #expect(throws: RestoreError.self) { try reader.loadTagged(3) }
        do {
            var r = ModelBinReader(bytes: NNTest.bin([.tagged([1, 2])]), file: "w.bin")
            r.layer = "conv7"
            _ = try r.loadTagged(3)
        } catch let e as RestoreError {
            #expect(e.kind == .model && e.message.contains("conv7") && e.message.contains("byte offset 4"))
        } catch {}
        var int8 = ModelBinReader(bytes: [0x38, 0x4B, 0x0D, 0, 1, 2, 3, 4], file: "i.bin")
        #expect(throws: RestoreError.self) { try int8.loadTagged(4) }
        var short = ModelBinReader(bytes: [0, 0], file: "s.bin")
        #expect(throws: RestoreError.self) { try short.loadTagged(1) }
        var huge = ModelBinReader(bytes: [0, 0, 0, 0], file: "h.bin")
        #expect(throws: RestoreError.self) { try huge.loadTagged(Int.max / 2) }
    }
}
