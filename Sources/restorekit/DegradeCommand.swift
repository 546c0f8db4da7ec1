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
            restoration prompt on standard output. camera: a camera's processing undone and redone \
            with sensor shot and read noise between (Brooks et al. 2019), optional sharpening and \
            JPEG; it prints one JSON object: the prompt, the draw, and the noise it added (per \
            channel, σ by level of the noise-free image and the noise's autocorrelation).
            """)

    enum Pipeline: String, ExpressibleByArgument, CaseIterable {
        case spire
        case realesrgan
        case camera
    }

    @Argument(help: "Input PNG or JPEG.")
    var input: String
    @Argument(help: "Output file (.png, .jpg or .jpeg); written atomically.")
    var output: String
    @Option(help: "The damage to apply, e.g. \"Deblur with sigma 2.0, Denoise with sigma 0.05\".")
    var restoration: String?
    @Option(help: "Sample the damage from a pipeline: spire, realesrgan or camera.")
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
            var report: String?
            switch pipeline {
            case .spire?:
                result = try SPIREPipeline.degrade(decoded.image, seed: seed)
            case .realesrgan?:
                result = try RealESRGANPipeline.degrade(decoded.image, seed: seed)
            case .camera?:
                let camera = try CameraPipeline.degrade(decoded.image, seed: seed)
                result = camera.result
                report = camera.json
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
            if pipeline != nil { print(report ?? String(describing: result.prompt)) }
        }
    }
}
