import Foundation
import Testing
@testable import RestoreKitCore

@Suite struct JPEGCodecTests {
    /// cjpeg options for each kind of file, and what the decoder must report.
    static let variants: [(name: String, cjpeg: [String], storage: String)] = [
        ("baseline-420", ["-quality", "75"], "baseline, 4:2:0"),
        ("progressive", ["-quality", "85", "-progressive"], "progressive, 4:2:0"),
        ("gray", ["-quality", "60", "-grayscale"], "baseline, gray"),
        ("baseline-444", ["-quality", "92", "-sample", "1x1"], "baseline, 4:4:4"),
        ("baseline-422", ["-quality", "40", "-sample", "2x1"], "baseline, 4:2:2"),
        ("progressive-444", ["-quality", "30", "-sample", "1x1", "-progressive"], "progressive, 4:4:4"),
    ]

    /// Decoding is byte-identical to libjpeg-turbo's djpeg on files cjpeg wrote.
    @Test(arguments: variants.map(\.name))
    func matchesDjpeg(_ name: String) throws {
        let variant = Self.variants.first { $0.name == name }!
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        let source = folder + "/in.ppm", jpeg = folder + "/\(name).jpg"
        try TestSupport.writePNM(TestSupport.sample, to: source)
        #expect(try TestSupport.run("cjpeg", variant.cjpeg + ["-outfile", jpeg, source]).status == 0)
        let reference = try TestSupport.run("djpeg", ["-pnm", jpeg])
        #expect(reference.status == 0)

        let decoded = try ImageFile.read(jpeg)
        #expect(decoded.format == .jpeg)
        #expect(decoded.storage == variant.storage)
        #expect(decoded.image.layout == (name == "gray" ? .gray : .rgb))
        #expect(decoded.image.interleaved8() == TestSupport.pnmPixels(reference.output))
    }

    /// The quantisation tables of a decoded file are the IJG tables of its quality.
    @Test(arguments: [10, 40, 75, 95])
    func keepsQuantisationTables(_ quality: Int) throws {
        let bytes = try JPEGCodec.encode(TestSupport.sample, quality: quality, chroma: .none)
        let info = try #require(try JPEGCodec.decode(bytes).jpeg)
        #expect(info.chromaSubsampling == "4:4:4")
        #expect(info.componentTables == [0, 1, 1])
        #expect(info.table(forComponent: 0) == ijgTable(luminance, quality))
        #expect(info.table(forComponent: 2) == ijgTable(chrominance, quality))
    }

    @Test(arguments: ChromaSubsampling.allCases)
    func writesChromaSubsampling(_ chroma: ChromaSubsampling) throws {
        let bytes = try JPEGCodec.encode(TestSupport.sample, quality: 90, chroma: chroma)
        let decoded = try JPEGCodec.decode(bytes)
        #expect(decoded.jpeg?.chromaSubsampling == chroma.rawValue)
        #expect(decoded.image.width == 451 && decoded.image.height == 300)
    }

    @Test func refusesTransparencyAndBadQuality() throws {
        let image = TestSupport.sample.withAlpha([Float](repeating: 0.5, count: TestSupport.sample.planeCount))
        #expect(throws: RestoreError.self) { try JPEGCodec.encode(image) }
        #expect(throws: RestoreError.self) { try JPEGCodec.encode(TestSupport.sample, quality: 0) }
        // Opaque alpha is simply dropped.
        let opaque = TestSupport.sample.withAlpha([Float](repeating: 1, count: TestSupport.sample.planeCount))
        #expect(try JPEGCodec.decode(try JPEGCodec.encode(opaque)).image.layout == .rgb)
    }

    @Test func refusesCMYK() throws {
        // cjpeg cannot write CMYK; a baseline file's SOF patched to 4 components
        // is CMYK to libjpeg (no Adobe marker needed).
        let rgb = try JPEGCodec.encode(TestSupport.sample)
        let cmyk = try makeFourComponentJPEG(from: rgb)
        #expect(throws: RestoreError(.decodeFailed,
                                     "JPEG: CMYK JPEG files are not supported; convert the file to RGB first")) {
            try JPEGCodec.decode(cmyk)
        }
    }

    @Test func oversizedHeaderIsRefusedBeforeDecoding() throws {
        var bytes = try JPEGCodec.encode(TestSupport.sample)
        let sof = try #require(markerOffset(bytes, 0xC0))
        // SOF0: length(2) precision(1) height(2) width(2)
        // 28672 × 28672 is under libjpeg's own limit but over 256 MP.
        bytes.replaceSubrange(sof + 5 ..< sof + 9, with: [0x70, 0x00, 0x70, 0x00])
        let error = #expect(throws: RestoreError.self) { try JPEGCodec.decode(bytes) }
        #expect(error?.kind == .imageTooLarge)
    }
}

/// The offset of the first marker 0xFF `code` in a JPEG stream.
func markerOffset(_ bytes: [UInt8], _ code: UInt8) -> Int? {
    (2 ..< bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == code }
}

/// Rewrites the SOF of a 3-component baseline JPEG to declare 4 components.
/// The scan data no longer matches, but the colour space is checked first.
func makeFourComponentJPEG(from bytes: [UInt8]) throws -> [UInt8] {
    var out = bytes
    let sof = try #require(markerOffset(out, 0xC0))
    let length = Int(out[sof + 2]) << 8 | Int(out[sof + 3])
    out[sof + 3] = UInt8(length + 3)
    out[sof + 9] = 4
    out.insert(contentsOf: [4, 0x11, 1], at: sof + 2 + length)
    return out
}

let luminance: [UInt16] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]
let chrominance: [UInt16] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
] + [UInt16](repeating: 99, count: 32)

/// The IJG scaling of a base table for `quality` (baseline: steps clamped to 1–255).
func ijgTable(_ base: [UInt16], _ quality: Int) -> [UInt16] {
    let scale = quality < 50 ? 5000 / quality : 200 - quality * 2
    return base.map { UInt16(min(255, max(1, (Int($0) * scale + 50) / 100))) }
}
