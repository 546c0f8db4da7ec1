import ArgumentParser
import RestoreKitCore

/// The prompts and options of one restoration, declared once for `restore`
/// and `batch` (and overridden per image by a batch manifest).
struct RestoreOptions: ParsableArguments {
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
    @Option(help: .option(.fidelity))
    var fidelity = defaults.fidelity
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
        request.fidelity = fidelity
        request.tileSize = tileSize
        request.threads = threads
        try request.validate()
        _ = try request.prompts.restorationPrompt()
        return request
    }

    /// Throws unless the file options are valid for an output at `output`.
    func checkOutput(_ output: String) throws {
        guard depth == nil || depth == 8 || depth == 16 else {
            throw RestoreError(.invalidArgument, "--depth must be 8 or 16")
        }
        guard (1 ... 100).contains(jpegQuality) else {
            throw RestoreError(.invalidArgument, "--jpeg-quality must be 1–100, not \(jpegQuality)")
        }
        guard ImageFormat(path: output) != nil else {
            throw RestoreError(.invalidArgument,
                "cannot tell the format of '\(output)' from its extension; use .png, .jpg or .jpeg")
        }
    }

    /// Every setting that decides the output's bytes, as text by name: what a
    /// batch records with each output (threads only change the speed).
    /// Fidelity joins the key only when set, so records made before it existed stay valid.
    var requestKey: [String: String] {
        (fidelity == defaults.fidelity ? [:] : ["fidelity": String(fidelity)]).merging([
         "restoration": restoration, "semantic": semantic, "quality-prompt": qualityPrompt,
         "negative-prompt": negativePrompt, "model": model, "strength": String(strength), "steps": String(steps),
         "guidance": String(guidance), "seed": String(seed), "tile-size": String(tileSize),
         "depth": depth.map(String.init) ?? "input", "jpeg-quality": String(jpegQuality)]) { $1 }
    }

    /// Sets the option a manifest names (`BatchManifest.settings`) from its text.
    mutating func set(_ name: String, to text: String) throws {
        func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
            guard let v = T(text.trimmingSpaces) else {
                throw RestoreError(.invalidArgument, "\(name) must be a number, not '\(text)'")
            }
            return v
        }
        switch name {
        case "restoration": restoration = text
        case "semantic": semantic = text
        case "quality-prompt": qualityPrompt = text
        case "negative-prompt": negativePrompt = text
        case "model": model = text
        case "strength": strength = try number(Double.self)
        case "steps": steps = try number(Int.self)
        case "guidance": guidance = try number(Double.self)
        case "seed": seed = try number(UInt64.self)
        case "fidelity": fidelity = try number(Double.self)
        case "tile-size": tileSize = try number(Int.self)
        case "depth": depth = try number(Int.self)
        case "jpeg-quality": jpegQuality = try number(Int.self)
        default: throw RestoreError(.invalidArgument, "unknown setting '\(name)'")
        }
    }
}

/// The defaults the options show: those of the core's declaration.
private let defaults = RestorationRequest()

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// One restoration from file bytes to file bytes: the code path `restore` and
/// `batch` share, so a batch's outputs are those of single runs byte for byte.
struct ImageRestoration {
    /// The plan carried out.
    let plan: RestorationPlan
    /// The output file's bytes.
    let encoded: [UInt8]
    let width: Int
    let height: Int

    /// Decodes `bytes` (the file `input`), plans and restores them as `request`
    /// and `options` say, and encodes the result for `output`'s format.
    /// `planned` sees the plan before the work starts.
    init(bytes: [UInt8], input: String, output: String, request: RestorationRequest, options: RestoreOptions,
         engine: RestorationEngine, planned: (RestorationPlan) -> Void = { _ in },
         progress: ProgressHandler? = nil) throws {
        let decoded = try ImageFile.decode(bytes, name: "'\(input)'")
        let tables = decoded.jpeg.flatMap { JPEGTables($0) }
        let plan = try engine.plan(request, for: decoded.image, jpegTables: tables)
        planned(plan)
        let result = try engine.restore(decoded.image, plan: plan, progress: progress)
        var encode = EncodeOptions(bitDepth: options.depth ?? (decoded.bitDepth > 8 ? 16 : 8),
                                   quality: options.jpegQuality, iccProfile: decoded.iccProfile)
        encode.format = ImageFormat(path: output)
        self.plan = plan
        self.encoded = try ImageFile.encode(result.image, options: encode)
        self.width = result.image.width
        self.height = result.image.height
    }
}
