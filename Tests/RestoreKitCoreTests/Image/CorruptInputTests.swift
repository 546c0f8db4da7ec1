import Testing
@testable import RestoreKitCore

/// Damaged files must give a valid image or an error with a message — never a
/// crash. `make test` runs this suite once more under AddressSanitizer.
@Suite struct CorruptInputTests {
    static let cases = 500
    /// A 160 × 120 crop keeps 500 decodes quick under AddressSanitizer.
    static let photo = TestSupport.crop(TestSupport.sample, x: 150, y: 90, width: 160, height: 120)

    @Test func damagedPNGs() throws {
        let sources = try ["rgb8.png", "rgba16-interlaced.png", "palette4-trns.png", "gray2-interlaced.png"]
            .map { try FileIO.read(TestSupport.fixture("png/" + $0)) }
            + [try PNGCodec.encode(Self.photo)]
        let tally = try survive(sources, seed: 1, fixCRC: true)
        #expect(tally.decoded + tally.failed == Self.cases)
        #expect(tally.failed > 0)
    }

    @Test func damagedJPEGs() throws {
        let gray = try Image(width: 160, height: 120, layout: .gray, samples: Array(Self.photo.plane(1)))
        let sources = [try JPEGCodec.encode(Self.photo, quality: 75),
                       try JPEGCodec.encode(Self.photo, quality: 30, chroma: .none),
                       try JPEGCodec.encode(gray, quality: 90)]
            + [try progressiveJPEG()]
        let tally = try survive(sources, seed: 2, fixCRC: false)
        #expect(tally.decoded + tally.failed == Self.cases)
        #expect(tally.failed > 0 && tally.decoded > 0)
    }

    /// Truncates or bit-flips `sources` `cases` times and decodes each result.
    /// For PNG, half the flips get their chunk CRC recomputed so the damage
    /// reaches the inflate and filter code instead of stopping at the CRC check.
    private func survive(_ sources: [[UInt8]], seed: UInt64, fixCRC: Bool) throws -> (decoded: Int, failed: Int) {
        var random = TestRandom(seed: seed)
        var decoded = 0, failed = 0
        for n in 0 ..< Self.cases {
            var bytes = sources[n % sources.count]
            switch n % 4 {
            case 0:
                bytes.removeLast(Int.random(in: 1 ..< bytes.count, using: &random))
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 0 ..< min(bytes.count, 200), using: &random)))
            default:
                for _ in 0 ..< Int.random(in: 1 ... 8, using: &random) {
                    let at = Int.random(in: 0 ..< bytes.count, using: &random)
                    bytes[at] ^= UInt8(1) << UInt8.random(in: 0 ..< 8, using: &random)
                }
                if fixCRC && n % 4 == 3 { fixChunkCRCs(&bytes) }
            }
            do {
                let image = try ImageFile.decode(bytes).image
                #expect(image.samples.allSatisfy { $0 >= 0 && $0 <= 1 })
                decoded += 1
            } catch let error as RestoreError {
                #expect(!error.message.isEmpty)
                failed += 1
            }
        }
        return (decoded, failed)
    }

    /// Recomputes every chunk CRC of a PNG stream (stops at the first bad length).
    private func fixChunkCRCs(_ bytes: inout [UInt8]) {
        var at = 8
        while at + 12 <= bytes.count {
            let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length <= bytes.count - at - 12 else { return }
            let end = at + 8 + length
            bytes.replaceSubrange(end ..< end + 4, with: bigEndian(crc32(bytes[at + 4 ..< end])))
            at = end + 4
        }
    }

    private func progressiveJPEG() throws -> [UInt8] {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try TestSupport.writePNM(Self.photo, to: folder + "/in.ppm")
        #expect(try TestSupport.run("cjpeg", ["-progressive", "-outfile", folder + "/p.jpg", folder + "/in.ppm"]).status == 0)
        return try FileIO.read(folder + "/p.jpg")
    }
}
