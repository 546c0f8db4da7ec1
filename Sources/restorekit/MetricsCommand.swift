import ArgumentParser
import RestoreKitCore

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Score an image against a reference: PSNR (dB) and SSIM.",
        discussion: """
            Both use a data range of 1. SSIM is Wang et al.'s (11 × 11 Gaussian window, \
            σ 1.5), averaged over the colour channels; alpha is ignored. With --y, both \
            compare the BT.601 luma Y = 16/255 + (65.481 R + 128.553 G + 24.966 B)/255, as \
            super-resolution papers do (gray images as they are). Identical images have a \
            PSNR of "inf".
            """)

    @Argument(help: "The reference (ground-truth) PNG or JPEG.")
    var reference: String
    @Argument(help: "The PNG or JPEG to score, of the same size.")
    var image: String
    @Flag(name: .customLong("y"), help: "Compare the BT.601 luma (Y) channel only.")
    var lumaY = false
    @Option(help: "Pixels to ignore along each border (papers crop the upscaling factor).")
    var crop: Int = 0

    func validate() throws {
        guard crop >= 0 else { throw ValidationError("--crop must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let referenceImage = try ImageFile.read(reference).image
            let scoredImage = try ImageFile.read(image).image
            let channels: MetricChannels = lumaY ? .lumaY : .color
            let psnr = try PSNR.measure(scoredImage, reference: referenceImage, channels: channels, crop: crop)
            let ssim = try SSIM.measure(scoredImage, reference: referenceImage, channels: channels, crop: crop)
            print("PSNR: \(decimal(psnr, digits: 4)) dB")
            print("SSIM: \(decimal(ssim, digits: 6))")
        }
    }
}

/// `value` rounded to `digits` decimals, or "inf" / "-inf" / "nan".
private func decimal(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
    var scale = 1
    for _ in 0 ..< digits { scale *= 10 }
    let units = Int((value.magnitude * Double(scale)).rounded())
    let fraction = String(units % scale)
    return (value < 0 && units > 0 ? "-" : "") + "\(units / scale)."
        + String(repeating: "0", count: digits - fraction.count) + fraction
}
