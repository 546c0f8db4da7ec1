import Foundation
@testable import RestoreKitCore

/// Synthetic images and fixture paths for the metric tests.
enum MetricsTestImages {
    /// Tests/RestoreKitCoreTests/Fixtures, found from this file's path.
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        return url.path + "/Fixtures"
    }()

    /// A smooth deterministic pattern in [0.05, 0.85]; `phase` moves it, so two
    /// phases give a pair that differs everywhere by varying amounts.
    static func pattern(width: Int, height: Int, layout: PixelLayout = .rgb,
                        phase: Double = 0) -> Image {
        var image = try! Image(width: width, height: height, layout: layout)
        for c in 0 ..< layout.channelCount {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let t = sin(0.37 * Double(x) + 0.23 * Double(y * (c + 1)) + phase)
                        * cos(0.11 * Double(x * y % 17) - phase)
                    image[x, y, c] = Float(0.45 + 0.4 * t)
                }
            }
        }
        return image
    }

    /// `image` with every sample raised by `offset`.
    static func shifted(_ image: Image, by offset: Float) -> Image {
        var out = image
        out.samples = image.samples.map { $0 + offset }
        return out
    }

    /// Channel `c` of `image` as a gray image.
    static func channel(_ image: Image, _ c: Int) -> Image {
        try! Image(width: image.width, height: image.height, layout: .gray, samples: Array(image.plane(c)))
    }
}
