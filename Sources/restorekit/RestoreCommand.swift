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
    @OptionGroup var options: RestoreOptions

    func run() throws {
        try reportingErrors {
            // Everything that can fail cheaply fails before any work.
            let request = try options.request()
            try options.checkOutput(output)
            try FileIO.checkWritable(output)
            let bytes = try FileIO.read(input)
            let quiet = options.quiet
            signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
            let bar = quiet ? nil : ProgressBar(terminal: isatty(2) != 0)
            let restored = try ImageRestoration(
                bytes: bytes, input: input, output: output, request: request, options: options,
                engine: RestorationEngine(modelsDirectory: nil),
                planned: { plan in
                    guard !quiet else { return }
                    if let analysis = plan.analysis { printError("restorekit: analysed: \(analysis.qualitySentence)") }
                    let stages = plan.stages.isEmpty ? "nothing to restore" : plan.stages.map(\.label).joined(separator: ", ")
                    printError("restorekit: \(plan.prompt) — \(stages)")
                    if plan.isGenerative {
                        let reads = plan.stages.reduce(into: Set<RequestOption.ID>()) { $0.formUnion($1.reads) }
                        printError("restorekit: conditioned on: \"\(plan.generativeConditioning)\"")
                        if reads.contains(.negativePrompt), plan.request.guidance > 1 {
                            printError("restorekit: negative prompt: \"\(plan.request.prompts.negative)\"")
                        }
                    }
                    for notice in plan.notices(naming: { $0.flag ?? $0.name }) { printError("restorekit: note: \(notice)") }
                },
                progress: { fraction, stage in
                    bar?.show(fraction, stage)
                    return interrupted.load(ordering: .relaxed) ? .cancel : .proceed
                })
            bar?.finish()
            try FileIO.writeAtomically(restored.encoded, to: output)
            if !quiet { printError("restorekit: wrote \(output) (\(restored.width) × \(restored.height))") }
        }
    }
}

/// Progress on standard error: stage, percent, time left. On a terminal one
/// line redrawn in place; otherwise (a log) a line every 10 s.
final class ProgressBar {
    private let start = monotonicSeconds()
    private let terminal: Bool
    private var lastWidth = 0
    private var lastLine = 0.0

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func show(_ fraction: Double, _ stage: String) {
        let elapsed = monotonicSeconds() - start
        if !terminal {
            guard elapsed - lastLine >= 10 else { return }
            lastLine = elapsed
            let left = fraction > 0.02 && fraction < 1 ? ", \(clock(elapsed * (1 - fraction) / fraction)) left" : ""
            printError("restorekit: \(stage) \(Int(fraction * 100))%\(left)")
            return
        }
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
        guard terminal else { return }
        writeError("\r" + String(repeating: " ", count: lastWidth) + "\r")
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return "\(s / 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
    }
}
