import ArgumentParser
import RestoreKitCore

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Estimate what damaged an image and print the restoration prompt that removes it.",
        discussion: """
            Measures noise σ (and whether it depends on brightness), Gaussian blur σ, JPEG quality \
            (exactly from a JPEG file's quantisation tables, else from the pixels' 8×8 blocks) and \
            an earlier enlargement, each with a confidence from 0 to 1. The last line is the \
            restoration prompt; 'restorekit restore' with an empty --restoration fills it in the \
            same way. --json prints one JSON object instead.
            """)

    @Argument(help: "A PNG or JPEG file.")
    var image: String
    @Flag(help: "Print the analysis as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let decoded = try ImageFile.read(image)
            let analysis = RestorationEngine().analyze(decoded.image, jpegTables: decoded.jpeg.flatMap { JPEGTables($0) })
            if json {
                print(analysis.json)
                return
            }
            print(report(analysis, width: decoded.image.width, height: decoded.image.height))
        }
    }

    private func report(_ a: DegradationAnalysis, width: Int, height: Int) -> String {
        func fixed(_ value: Double, _ digits: Int) -> String {
            var scale = 1.0
            for _ in 0 ..< digits { scale *= 10 }
            let n = Int((value * scale).rounded())
            let whole = String(n / Int(scale)), part = String(abs(n) % Int(scale))
            return whole + "." + String(repeating: "0", count: digits - part.count) + part
        }
        func confidence(_ c: Double) -> String { "confidence " + fixed(c, 2) }
        var noise = "σ \(fixed(a.noise.sigma, 4)) (\(confidence(a.noise.confidence)))"
        if a.noise.signalDependent { noise += ", grows or shrinks with brightness" }
        let jpeg: String
        switch (a.jpeg.quality, a.jpeg.source) {
        case (let q?, .fileTables?):
            jpeg = "quality \(q) from the file's tables" + (a.jpeg.exact ? " (IJG, exact)" : " (nearest IJG quality)")
        case (let q?, _): jpeg = "quality \(q) from the pixels (\(confidence(a.jpeg.confidence)))"
        case (nil, _): jpeg = "none found (\(confidence(a.jpeg.confidence)))"
        }
        let enlarged = a.upsampling.factor > 1
            ? "about \(fixed(a.upsampling.factor, 2))× (\(confidence(a.upsampling.confidence)))"
            : "no (\(confidence(a.upsampling.confidence)))"
        let prompt = a.prompt.isEmpty ? "(nothing to restore)" : a.prompt.description
        return """
            \(image): \(width) × \(height)
              noise     \(noise)
              blur      σ \(fixed(a.blur.sigma, 2)) px (\(confidence(a.blur.confidence)), \(a.blur.edges) edges)
              JPEG      \(jpeg)
              enlarged  \(enlarged)
              levels    \(a.levels)
              quality   \(a.qualitySentence)
            prompt: \(prompt)
            """
    }
}
