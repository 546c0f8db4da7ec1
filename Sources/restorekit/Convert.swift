import ArgumentParser
import RestoreKitCore

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between PNG and JPEG (format from the output's extension).")

    @Argument(help: "Input PNG or JPEG.")
    var input: String
    @Argument(help: "Output file (.png, .jpg or .jpeg); written atomically.")
    var output: String
    @Option(help: "JPEG quality, 1–100.")
    var quality: Int = 90
    @Option(help: "PNG bits per sample: 8 or 16.")
    var depth: Int = 8
    @Option(help: "JPEG chroma subsampling: 4:4:4, 4:2:2 or 4:2:0.")
    var chroma: ChromaSubsampling = .both

    func validate() throws {
        guard (1 ... 100).contains(quality) else { throw ValidationError("--quality must be 1–100") }
        guard depth == 8 || depth == 16 else { throw ValidationError("--depth must be 8 or 16") }
    }

    func run() throws {
        try reportingErrors {
            try FileIO.checkWritable(output)
            let decoded = try ImageFile.read(input)
            let options = EncodeOptions(bitDepth: depth, quality: quality,
                                        chroma: chroma,
                                        iccProfile: decoded.iccProfile)
            try ImageFile.write(decoded.image, to: output, options: options)
        }
    }
}

extension ChromaSubsampling: ExpressibleByArgument {}
