import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

// rkbench sd COMMAND [MODEL_DIR] [--option value …]: Stable Diffusion's parts on
// RestoreKit's engine, one at a time, reading and writing float32 .npy files in
// diffusers' NCHW layout. The parity tests (Tests/Diffusion) and `make bench` compare
// them with diffusers and transformers on the same weights.

/// The arguments of one `rkbench sd` command.
struct SDArguments {
    let command: String
    /// The diffusers model folder, when the command takes one.
    let modelDirectory: String?
    private let options: [String: String]

    init(command: String, _ arguments: ArraySlice<String>) throws {
        self.command = command
        var rest = arguments
        modelDirectory = rest.first.flatMap { $0.hasPrefix("--") ? nil : rest.popFirst() }
        var options: [String: String] = [:]
        while let key = rest.popFirst() {
            guard key.hasPrefix("--"), let value = rest.popFirst() else {
                throw RestoreError(.invalidArgument, "rkbench sd \(command): expected --option value, got '\(key)'")
            }
            options[String(key.dropFirst(2))] = value
        }
        self.options = options
    }

    /// The option's value, if given.
    subscript(name: String) -> String? { options[name] }

    /// The option's value; an error when it is missing.
    func required(_ name: String) throws -> String {
        guard let value = options[name] else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --\(name) is required")
        }
        return value
    }

    /// The model folder; an error when it is missing.
    func model() throws -> String {
        guard let modelDirectory else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): MODEL_DIR is required")
        }
        return modelDirectory
    }

    /// An integer option, or `fallback` when absent.
    func integer(_ name: String, default fallback: Int) throws -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text) else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --\(name) '\(text)' is not an integer")
        }
        return value
    }

    /// `--threads` (default: every core).
    func threads() throws -> Int { try integer("threads", default: ProcessorInfo.coreCount) }

    /// `--lora FILE [--lora-scale S]` (default scale 1), if given.
    func loras() throws -> [(LoRA, scale: Float)] {
        guard let path = options["lora"] else { return [] }
        guard let scale = Float(options["lora-scale"] ?? "1") else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --lora-scale must be a number")
        }
        return [(try LoRA(path: path), scale)]
    }

    /// `--tile auto|whole|N`: the VAE's tiling, N latent rows per band (default auto).
    func tiling() throws -> AutoencoderKL.Tiling {
        switch options["tile"] ?? "auto" {
        case "auto": return .automatic
        case "whole": return .whole
        case let text:
            guard let rows = Int(text) else {
                throw RestoreError(.invalidArgument, "rkbench sd \(command): --tile '\(text)' is not auto, whole or a number of latent rows")
            }
            return .rows(rows)
        }
    }

    /// What a single-file checkpoint cannot tell: `--prediction epsilon|v`, `--image-size N`,
    /// `--unet-heads N` or `--unet-head-channels N`, `--text-heads N`.
    func checkpointOptions() throws -> SingleFileCheckpoint.Options {
        var options = SingleFileCheckpoint.Options()
        switch self["prediction"] ?? "epsilon" {
        case "epsilon": options.prediction = .epsilon
        case "v": options.prediction = .v
        case let other: throw RestoreError(.invalidArgument, "rkbench sd \(command): --prediction '\(other)' is not epsilon or v")
        }
        func value(_ name: String) throws -> Int? { self[name] == nil ? nil : try integer(name, default: 0) }
        options.imageSize = try value("image-size")
        options.textHeads = try value("text-heads")
        if let heads = try value("unet-heads") { options.unetHeads = .count(heads) }
        if let channels = try value("unet-head-channels") { options.unetHeads = .channels(channels) }
        return options
    }

    /// `--repeat` (default 1).
    func repeats() throws -> Int { max(1, try integer("repeat", default: 1)) }
}

/// One `rkbench sd` command: what it computes and its options, for the usage text.
struct SDCommand: Sendable {
    let usage: String
    let run: @Sendable (SDArguments) throws -> Void
}

/// Runs `body` `--repeat` times (default once) and prints each run's seconds, one
/// number per line and nothing else on standard output; returns the last result.
func sdTimed<T>(_ arguments: SDArguments, _ body: () throws -> T) throws -> T {
    var result: T? = nil
    for _ in 0 ..< (try arguments.repeats()) {
        let start = now()
        result = try body()
        print(now() - start)
    }
    return result!
}

let sdCommands: [String: SDCommand] = [
    "text": SDCommand(usage: "MODEL_DIR (--prompt TEXT | --tokens F.npy) --out F.npy [--lora F [--lora-scale S]] [--variant fp16] [--threads N] [--repeat R]", run: sdText),
    "unet": SDCommand(usage: "MODEL_DIR --latents F.npy --timestep T --context F.npy --out F.npy [--controlnet DIR --control-image F.npy [--control-scale S]] [--lora F [--lora-scale S]] [--variant fp16] [--threads N] [--repeat R]",
                      run: sdUNet),
    "pass": SDCommand(usage: "MODEL_DIR --latents F.npy --context F.npy [--timestep T] --out F.npy [--variant fp16] [--threads N] [--repeat R] (one UNet evaluation and one VAE decode, for peak memory)",
                      run: sdPass),
    "vae-encode": SDCommand(usage: "MODEL_DIR --image F.npy --out F.npy [--tile auto|whole|N] [--variant fp16] [--threads N] [--repeat R]", run: sdVAEEncode),
    "vae-decode": SDCommand(usage: "MODEL_DIR --latents F.npy --out F.npy [--tile auto|whole|N] [--variant fp16] [--threads N] [--repeat R]", run: sdVAEDecode),
    "one-step": SDCommand(usage: "MODEL_DIR --image F.npy --prompt TEXT --out F.npy [--lora F [--lora-scale S]] [--variant fp16] [--threads N] [--repeat R] (OSEDiff's one-step restoration; image in −1…1, sides multiples of 8)",
                          run: sdOneStep),
    "img2img": SDCommand(usage: "MODEL_DIR --image F.npy --prompt TEXT [--negative-prompt TEXT] [--steps N] [--strength X] [--guidance G] [--seed S] [--scheduler NAME] [--controlnet DIR [--control-scale S]] [--tile N] --out F.npy [--lora F [--lora-scale S]] [--variant fp16] [--threads N] [--repeat R] (diffusers' img2img pipeline; image in 0…1, sides multiples of 8; N latent pixels a tile)",
                         run: sdImageToImage),
    "denoise": sdDenoiseCommand,
    "randn": sdRandnCommand,
    "scheduler": sdSchedulerCommand,
    "weights": SDCommand(usage: "FILE --component unet|vae|text_encoder --out DIR [--prediction epsilon|v] [--image-size N] [--unet-heads N | --unet-head-channels N] [--text-heads N]", run: sdWeights),
    "tokens": SDCommand(usage: "(MODEL_DIR | --bpe-merges FILE [--pad-token T] | --checkpoint FILE [--models DIR] [checkpoint options as for weights]) (--prompt TEXT | --prompts FILE.json) --out F.npy: CLIP token ids", run: sdTokens),
]

func sdBenchmark(_ arguments: [String]) throws {
    guard let name = arguments.first, let command = sdCommands[name] else {
        var usage = "usage: rkbench sd COMMAND [MODEL_DIR] [--option value …]; commands:"
        for name in sdCommands.keys.sorted() { usage += "\n  \(name) \(sdCommands[name]!.usage)" }
        print(usage)
        if let name = arguments.first {
            throw RestoreError(.invalidArgument, "unknown command '\(name)'")
        }
        return
    }
    try command.run(SDArguments(command: name, arguments.dropFirst()))
}
