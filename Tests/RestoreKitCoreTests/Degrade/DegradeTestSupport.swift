@testable import RestoreKitCore

/// Fixtures and small helpers of the degradation tests.
enum DegradeTestSupport {
    /// The repository root, found from this file's path.
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)   // Tests/RestoreKitCoreTests/Degrade/<file>
        return parts.joined(separator: "/")
    }()

    /// A file under Tests/RestoreKitCoreTests/Fixtures/resize.
    static func resizeFixture(_ name: String) -> String {
        root + "/Tests/RestoreKitCoreTests/Fixtures/resize/" + name
    }

    /// Little-endian float32 samples from a fixture file.
    static func floats(_ path: String) throws -> [Float] {
        let bytes = try FileIO.read(path)
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
                | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    /// The CC0 sample photo (451 × 300 RGB), decoded once.
    static let sample: Image = try! ImageFile.read(root + "/docs/samples/chelsea.png").image

    /// A `width × height` crop of the sample at (x, y), all channels.
    static func crop(x: Int, y: Int, width: Int, height: Int) -> Image {
        var out = try! Image(width: width, height: height, layout: sample.layout)
        for c in 0 ..< sample.layout.channelCount {
            for row in 0 ..< height {
                for col in 0 ..< width { out[col, row, c] = sample[x + col, y + row, c] }
            }
        }
        return out
    }

    /// An image of uniform random samples in [0, 1) from `seed`.
    static func random(width: Int, height: Int, layout: PixelLayout, seed: UInt64) -> Image {
        var generator = SeededGenerator(seed: seed)
        let samples = (0 ..< width * height * layout.channelCount).map { _ in Float(generator.nextUnit()) }
        return try! Image(width: width, height: height, layout: layout, samples: samples)
    }

    /// A `width × height` image of one value in every channel.
    static func constant(_ value: Float, width: Int, height: Int, layout: PixelLayout) -> Image {
        try! Image(width: width, height: height, layout: layout,
                   samples: [Float](repeating: value, count: width * height * layout.channelCount))
    }

    /// The largest absolute difference between two equally long sample arrays.
    static func maxDifference(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Mean and (population) variance.
    static func moments(_ values: some Collection<Double>) -> (mean: Double, variance: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n)
    }
}
