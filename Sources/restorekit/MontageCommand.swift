import ArgumentParser
import RestoreKitCore

struct MontageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "montage",
        abstract: "Put images of the same height side by side (e.g. degraded | restored | original).")

    @Argument(help: "Output PNG; written atomically.")
    var output: String
    @Argument(help: "Two or more images of the same height, left to right.")
    var inputs: [String]
    @Option(help: "White gap between images, in pixels.")
    var gap: Int = 8

    func validate() throws {
        guard inputs.count >= 2 else { throw ValidationError("give at least two images") }
        guard (0 ... 256).contains(gap) else { throw ValidationError("--gap must be 0–256") }
    }

    func run() throws {
        try reportingErrors {
            try FileIO.checkWritable(output)
            let images = try inputs.map { try ImageFile.read($0).image.converted(to: .sRGB) }
            let height = images[0].height
            if let odd = images.firstIndex(where: { $0.height != height }) {
                throw RestoreError(.invalidArgument,
                    "'\(inputs[odd])' is \(images[odd].height) pixels high, not \(height) like '\(inputs[0])'")
            }
            let width = images.map(\.width).reduce(0, +) + gap * (images.count - 1)
            let layout: PixelLayout = images.contains { $0.layout.colorChannelCount == 3 } ? .rgb : .gray
            var canvas = try Image(width: width, height: height, layout: layout)
            canvas.samples = [Float](repeating: 1, count: canvas.samples.count)
            var x = 0
            for image in images {
                var color = image.colorOnly
                if color.layout != layout {
                    color = try Image(width: color.width, height: color.height, layout: .rgb,
                                      samples: color.samples + color.samples + color.samples)
                }
                canvas.paste(color, x: x, y: 0)
                x += image.width + gap
            }
            try ImageFile.write(canvas, to: output)
        }
    }
}
