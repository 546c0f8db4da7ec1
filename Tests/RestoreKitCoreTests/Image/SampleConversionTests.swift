import Testing
@testable import RestoreKitCore

@Suite struct SampleConversionTests {
    @Test func eightBitRoundTripIsExact() throws {
        let values = (0 ... 255).map(UInt8.init)
        let image = try values.withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: 256, height: 1, layout: .gray)
        }
        #expect(image.samples[255] == 1)
        #expect(image.samples[51] == 0.2)
        #expect(image.interleaved8() == values)
    }

    @Test func sixteenBitRoundTripIsExact() throws {
        let values = (0 ... 65535).map(UInt16.init)
        let image = try values.withUnsafeBufferPointer {
            try Image(interleaved16: $0, width: 256, height: 64, layout: .rgba)
        }
        #expect(image.interleaved16() == values)
    }

    @Test func interleavedBecomesPlanar() throws {
        let rgba: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 0]
        let image = try rgba.withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: 2, height: 1, layout: .rgba)
        }
        #expect(image.samples == [1, 0, 0, 1, 0, 0, 1, 0])
        #expect(image.alpha.map(Array.init) == [1, 0])
        #expect(image.colorOnly.layout == .rgb)
    }

    @Test func quantisationClampsAndRounds() throws {
        let image = try Image(width: 6, height: 1, layout: .gray,
                              samples: [-0.5, .nan, 0.51 / 255, 1.49 / 255, 1, 7])
        #expect(image.interleaved8() == [0, 0, 1, 1, 255, 255])
    }

    @Test func wrongSampleCountIsAnError() {
        let bytes = [UInt8](repeating: 0, count: 5)
        #expect(throws: RestoreError.self) {
            try bytes.withUnsafeBufferPointer { try Image(interleaved8: $0, width: 2, height: 1, layout: .rgb) }
        }
    }

    @Test func sRGBCurveRoundTrips() {
        for i in 0 ... 255 {
            let v = Float(i) / 255
            let back = Image.sRGBFromLinear(Image.linearFromSRGB(v))
            #expect(abs(back - v) < 1e-6)
        }
    }
}
