import ArgumentParser
import RestoreKitCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Set by the SIGINT handler; the progress handler turns it into a cancel.
let interrupted = Atomic<Bool>(false)

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore an image as the prompts say.",
        discussion: """
            The restoration prompt states the damage, e.g.
              --restoration "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40"
            (see docs/prompt-language.md). An empty prompt, bare verbs ("Denoise") and "Remove all \
            degradation" without a learned model are filled in by analysing the image (as \
            'restorekit analyze' does); the prompt carried out is printed. Ctrl-C cancels cleanly: no output file is written.
            """)

    @Argument(help: "Input PNG or JPEG.")
    var input: String
    @Argument(help: "Output file (.png, .jpg or .jpeg); written atomically.")
    var output: String
    @Option(name: .customLong("restoration"), help: .option(.restorationPrompt))
    var restoration = defaults.prompts.restoration
    @Option(name: [.customLong("semantic"), .customLong("prompt")], help: .option(.semanticPrompt))
    var semantic = defaults.prompts.semantic
    @Option(name: .customLong("quality-prompt"), help: .option(.qualityPrompt))
    var qualityPrompt = defaults.prompts.quality
    @Option(name: .customLong("negative-prompt"), help: .option(.negativePrompt))
    var negativePrompt = defaults.prompts.negative
    @Option(help: .option(.model))
    var model = defaults.model
    @Option(help: .option(.strength))
    var strength = defaults.strength
    @Option(help: .option(.steps))
    var steps = defaults.steps
    @Option(help: .option(.guidance))
    var guidance = defaults.guidance
    @Option(help: .option(.seed))
    var seed = defaults.seed
    @Option(name: [.customLong("tile-size"), .customLong("tile")], help: .option(.tileSize))
    var tileSize = defaults.tileSize
    @Option(help: .option(.threads))
    var threads = defaults.threads
    @Option(help: "PNG bits per sample: 8 or 16 (default: the input's).")
    var depth: Int?
    @Option(name: .customLong("jpeg-quality"), help: "Quality of a JPEG output, 1–100.")
    var jpegQuality: Int = 95
    @Flag(help: "No progress bar, summary or notes.")
    var quiet = false

    /// The request the options describe, checked.
    func request() throws -> RestorationRequest {
        var request = RestorationRequest()
        request.prompts = try PromptFields(semantic: semantic, restoration: restoration,
                                           quality: qualityPrompt, negative: negativePrompt)
        request.model = model
        request.strength = strength
        request.steps = steps
        request.guidance = guidance
        request.seed = seed
        request.tileSize = tileSize
        request.threads = threads
        try request.validate()
        _ = try request.prompts.restorationPrompt()
        return request
    }

    func run() throws {
        try reportingErrors {
            // Everything that can fail cheaply fails before any work.
            let request = try request()
            guard depth == nil || depth == 8 || depth == 16 else {
                throw RestoreError(.invalidArgument, "--depth must be 8 or 16")
            }
            guard ImageFormat(path: output) != nil else {
                throw RestoreError(.invalidArgument,
                    "cannot tell the format of '\(output)' from its extension; use .png, .jpg or .jpeg")
            }
            try FileIO.checkWritable(output)
            let decoded = try ImageFile.read(input)
            let engine = RestorationEngine(modelsDirectory: nil)
            let tables = decoded.jpeg.flatMap { JPEGTables($0) }
            let plan = try engine.plan(request, for: decoded.image, jpegTables: tables)
            if !quiet {
                if let analysis = plan.analysis { printError("restorekit: analysed: \(analysis.qualitySentence)") }
                let stages = plan.stages.isEmpty ? "nothing to restore" : plan.stages.map(\.label).joined(separator: ", ")
                printError("restorekit: \(plan.prompt) — \(stages)")
                for notice in plan.notices(naming: { $0.flag ?? $0.name }) { printError("restorekit: note: \(notice)") }
            }

            signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
            let bar = quiet || isatty(2) == 0 ? nil : ProgressBar()
            let result = try engine.restore(decoded.image, plan: plan) { fraction, stage in
                bar?.show(fraction, stage)
                return interrupted.load(ordering: .relaxed) ? .cancel : .proceed
            }
            bar?.finish()
            try ImageFile.write(result.image, to: output,
                                options: EncodeOptions(bitDepth: depth ?? (decoded.bitDepth > 8 ? 16 : 8),
                                                       quality: jpegQuality, iccProfile: decoded.iccProfile))
            if !quiet { printError("restorekit: wrote \(output) (\(result.image.width) × \(result.image.height))") }
        }
    }
}

/// The defaults the options show: those of the core's declaration.
private let defaults = RestorationRequest()

/// A one-line progress display on standard error: stage, percent, time left.
final class ProgressBar {
    private let start = monotonicSeconds()
    private var lastWidth = 0

    func show(_ fraction: Double, _ stage: String) {
        let elapsed = monotonicSeconds() - start
        let percent = Int(fraction * 100)
        var line = "\(stage)  \(percent)%"
        if fraction > 0.02 && fraction < 1 {
            line += "  \(clock(elapsed * (1 - fraction) / fraction)) left"
        }
        let padding = String(repeating: " ", count: max(0, lastWidth - line.count))
        lastWidth = line.count
        writeError("\r" + line + padding)
    }

    func finish() {
        writeError("\r" + String(repeating: " ", count: lastWidth) + "\r")
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return "\(s / 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
    }
}
