import ArgumentParser
import RestoreKitCore

struct DegradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "degrade",
        abstract: "Damage an image: exactly as a restoration prompt states, or by a synthesis pipeline.",
        discussion: """
            --restoration applies the stated damage in SPIRE's order: Gaussian blur of sigma, \
            bicubic downsampling by the Upsample factor, Gaussian noise of sigma (drawn from --seed), \
            JPEG at the quality. Every clause needs its value; "Remove all degradation" cannot be applied.
            --pipeline samples a degradation from --seed (spire: SPIRE's parameterised pipeline; \
            realesrgan: Real-ESRGAN's second-order pipeline, output 1/4 size) and prints its \
            restoration prompt on standard output.
            """)

    enum Pipeline: String, ExpressibleByArgument, CaseIterable {
        case spire
        case realesrgan
    }

    @Argument(help: "Input PNG or JPEG.")
    var input: String
    @Argument(help: "Output file (.png, .jpg or .jpeg); written atomically.")
    var output: String
    @Option(help: "The damage to apply, e.g. \"Deblur with sigma 2.0, Denoise with sigma 0.05\".")
    var restoration: String?
    @Option(help: "Sample the damage from a pipeline: spire or realesrgan.")
    var pipeline: Pipeline?
    @Option(help: "Seed of the random draws (noise, pipeline sampling).")
    var seed: UInt64 = 0

    func validate() throws {
        guard (restoration == nil) != (pipeline == nil) else {
            throw ValidationError("give exactly one of --restoration and --pipeline")
        }
    }

    func run() throws {
        try reportingErrors {
            try FileIO.checkWritable(output)
            let decoded = try ImageFile.read(input)
            let result: SyntheticDegradation
            switch pipeline {
            case .spire?:
                result = try SPIREPipeline.degrade(decoded.image, seed: seed)
            case .realesrgan?:
                result = try RealESRGANPipeline.degrade(decoded.image, seed: seed)
            case nil:
                let prompt: RestorationPrompt
                do throws(PromptParseError) {
                    prompt = try RestorationPrompt.parse(restoration ?? "")
                } catch {
                    throw error.restoreError
                }
                result = try PromptDegradation.apply(prompt, to: decoded.image, seed: seed)
            }
            try ImageFile.write(result.image, to: output, options: EncodeOptions(iccProfile: decoded.iccProfile))
            if pipeline != nil { print(String(describing: result.prompt)) }
        }
    }
}
