import Foundation
@testable import RestoreKitCore

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The repository root.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A file under Tests/RestoreKitCoreTests/Fixtures.
    static func fixture(_ name: String) -> String {
        root + "/Tests/RestoreKitCoreTests/Fixtures/" + name
    }

    /// The committed CC0 sample photo (451 × 300 RGB).
    static let samplePath = root + "/docs/samples/chelsea.png"

    /// The sample photo, decoded once.
    static let sample: Image = try! ImageFile.read(samplePath).image

    /// A fresh temporary folder, removed by the caller with `removeFolder`.
    static func makeFolder() throws -> String {
        let path = NSTemporaryDirectory() + "restorekit-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeFolder(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs a program found on PATH; returns its exit status and standard output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// Writes an 8-bit image as binary PPM (RGB) or PGM (gray), for cjpeg.
    static func writePNM(_ image: Image, to path: String) throws {
        let magic = image.layout.colorChannelCount == 1 ? "P5" : "P6"
        var data = Data("\(magic)\n\(image.width) \(image.height)\n255\n".utf8)
        data.append(contentsOf: image.colorOnly.interleaved8())
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The pixel bytes of a binary PPM/PGM (as djpeg writes them).
    static func pnmPixels(_ data: Data) -> [UInt8] {
        // Header: magic, width, height, maxval, each followed by one whitespace.
        var fields = 0, index = data.startIndex
        while fields < 4 {
            while data[index] == 0x20 || data[index] == 0x0A { index += 1 }
            while data[index] != 0x20 && data[index] != 0x0A { index += 1 }
            fields += 1
        }
        return Array(data[(index + 1)...])
    }

    /// A crop of `image` (all channels).
    static func crop(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        image.cropped(to: Rect(x: x, y: y, width: width, height: height))
    }
}

/// A small deterministic generator for test data (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
