import Foundation
import Testing
@testable import RestoreKitCore

/// One file of the PNG fixture set (scripts/png-fixture).
struct PNGFixture: Decodable, CustomTestStringConvertible, Sendable {
    let name: String
    let width: Int
    let height: Int
    let channels: Int
    let depth: Int
    let bit_depth: Int

    var testDescription: String { name }

    static let all: [PNGFixture] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: TestSupport.fixture("png/manifest.json")))
        return try! JSONDecoder().decode([PNGFixture].self, from: data)
    }()
}

@Suite struct PNGCodecTests {
    /// Every colour type, bit depth 1–16, palette, tRNS and interlaced variant
    /// decodes to exactly the samples pypng was given.
    @Test(arguments: PNGFixture.all)
    func decodesEveryVariant(_ fixture: PNGFixture) throws {
        let decoded = try ImageFile.read(TestSupport.fixture("png/\(fixture.name).png"))
        let expected = try Data(contentsOf: URL(fileURLWithPath: TestSupport.fixture("png/\(fixture.name).raw")))
        #expect(decoded.format == .png)
        #expect(decoded.image.width == fixture.width && decoded.image.height == fixture.height)
        #expect(decoded.image.layout.channelCount == fixture.channels)
        #expect(decoded.bitDepth == fixture.bit_depth)
        #expect(decoded.storage.contains("interlaced") == fixture.name.hasSuffix("interlaced"))
        if fixture.depth == 8 {
            #expect(decoded.image.interleaved8() == [UInt8](expected))
        } else {
            let values = expected.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
            #expect(decoded.image.interleaved16() == values.map { UInt16(littleEndian: $0) })
        }
    }

    /// Encode → decode is exact at 8 and 16 bits for every layout.
    @Test(arguments: PixelLayout.allCases, [8, 16])
    func roundTripIsExact(_ layout: PixelLayout, _ depth: Int) throws {
        var random = TestRandom(seed: UInt64(layout.rawValue * 100 + depth))
        let count = 29 * 17 * layout.channelCount
        let image: Image
        if depth == 8 {
            let values = (0 ..< count).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
            image = try values.withUnsafeBufferPointer {
                try Image(interleaved8: $0, width: 29, height: 17, layout: layout)
            }
        } else {
            let values = (0 ..< count).map { _ in UInt16.random(in: 0 ... 65535, using: &random) }
            image = try values.withUnsafeBufferPointer {
                try Image(interleaved16: $0, width: 29, height: 17, layout: layout)
            }
        }
        let bytes = try PNGCodec.encode(image, bitDepth: depth)
        let back = try PNGCodec.decode(bytes)
        #expect(back.bitDepth == depth)
        #expect(back.image == image)
    }

    @Test func iccProfileSurvives() throws {
        let decoded = try ImageFile.read(TestSupport.samplePath)
        let profile = try #require(decoded.iccProfile)
        let bytes = try PNGCodec.encode(decoded.image, iccProfile: profile)
        #expect(try PNGCodec.decode(bytes).iccProfile == profile)
    }

    @Test func oversizedHeaderIsRefusedBeforeDecoding() throws {
        // A valid PNG whose IHDR claims 70000 × 10 pixels (CRC fixed up).
        var bytes = try FileIO.read(TestSupport.fixture("png/rgb8.png"))
        bytes.replaceSubrange(16 ..< 24, with: bigEndian(70000) + bigEndian(10))
        bytes.replaceSubrange(29 ..< 33, with: bigEndian(crc32(bytes[12 ..< 29])))
        #expect(throws: RestoreError(.imageTooLarge,
                                     "image is 70000 × 10 pixels; the limit is 65535 on either side")) {
            try PNGCodec.decode(bytes)
        }
        let small = ImageLimits(maxPixels: 100, maxSide: 65535)
        #expect(throws: RestoreError.self) {
            try PNGCodec.decode(try FileIO.read(TestSupport.fixture("png/rgb8.png")), limits: small)
        }
    }

    @Test func notAPNG() {
        #expect(throws: RestoreError(.decodeFailed, "PNG: not a PNG file (bad signature)")) {
            try PNGCodec.decode([1, 2, 3])
        }
        #expect(throws: RestoreError(.decodeFailed, "'x' is neither a PNG nor a JPEG file")) {
            try ImageFile.decode(Array("GIF89a".utf8), name: "'x'")
        }
    }
}

func bigEndian(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

/// CRC-32 as PNG chunks use it.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0 ..< 8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
