/// A Stable Diffusion model the user brought and registered with `restorekit
/// models import`: where its files are (by reference: nothing is copied unless
/// asked), their sizes and sha256 at import, the recipe it restores with, and
/// the LoRAs and ControlNet that go with it. The models folder's
/// `GenerativeManifest` lists them.
public struct ImportedModel: Sendable, Equatable {
    /// How a model restores (see `GenerativeRestorer`).
    public enum Recipe: String, Sendable, CaseIterable {
        /// OSEDiff's: one UNet evaluation at t = 999 read as x₀.
        case oneStep = "one-step"
        /// The restoration prompt's restorers, then img2img from their result.
        case refine
    }

    /// How the weights are stored.
    public enum Format: String, Sendable {
        /// A diffusers folder (`model_index.json`, `unet/`, `vae/`, …).
        case diffusers
        /// One checkpoint in the original LDM key layout.
        case singleFile = "single-file"
    }

    /// A file read when the model loads, as it was at import.
    public struct File: Sendable, Equatable {
        public let path: String
        public let size: Int
        public let sha256: String

        public init(path: String, size: Int, sha256: String) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }

        /// The file at `path` as it is now.
        public static func reading(_ path: String) throws -> File {
            let (size, sha256) = try FileIO.digest(path)
            return File(path: path, size: size, sha256: sha256)
        }
    }

    /// A LoRA merged at load, and its scale.
    public struct LoRAFile: Sendable, Equatable {
        public let file: File
        public let scale: Double

        public init(file: File, scale: Double) {
            self.file = file
            self.scale = scale
        }
    }

    /// The name requests choose it by (lowercase letters, digits, `.`, `_`, `-`).
    public let name: String
    public let recipe: Recipe
    public let format: Format
    /// The diffusers folder or the checkpoint file.
    public let path: String
    /// "SD 1.x" or "SD 2.x", from the text encoder's width.
    public let base: String
    /// A single file's prediction type as the user stated it (diffusers folders say it themselves).
    public let prediction: SingleFileCheckpoint.Prediction
    /// The model's files (and the ControlNet's), as at import.
    public let files: [File]
    public let loras: [LoRAFile]
    /// The ControlNet's diffusers folder, if any.
    public let controlNet: String?
    /// The sampler `refine` runs (a `SchedulerFactory` name); nil: the model's own.
    public let scheduler: String?

    public init(name: String, recipe: Recipe, format: Format, path: String, base: String,
                prediction: SingleFileCheckpoint.Prediction, files: [File], loras: [LoRAFile], controlNet: String?,
                scheduler: String? = nil) {
        self.name = name
        self.recipe = recipe
        self.format = format
        self.path = path
        self.base = base
        self.prediction = prediction
        self.files = files
        self.loras = loras
        self.controlNet = controlNet
        self.scheduler = scheduler
    }

    /// Bytes of every file it reads.
    public var size: Int { files.reduce(0) { $0 + $1.size } + loras.reduce(0) { $0 + $1.file.size } }

    /// Throws `RestoreError(.model)` naming the first file that is missing or
    /// whose size (or, with `verify`, sha256) differs from the import, and the fix.
    public func checkFiles(verify: Bool = false) throws {
        for file in files + loras.map(\.file) {
            let fix = "put it back, or import the model again (restorekit models import … --name \(name))"
            guard let size = FileIO.size(file.path) else {
                throw RestoreError(.model, "the imported model '\(name)' reads '\(file.path)', which is gone (moved or deleted); \(fix)")
            }
            var changed: String?
            if size != file.size {
                changed = "its size is \(size) bytes, not \(file.size)"
            } else if verify, try FileIO.digest(file.path).sha256 != file.sha256 {
                changed = "its sha256 differs from the import's"
            }
            if let changed {
                throw RestoreError(.model, "the imported model '\(name)': '\(file.path)' has changed since the import (\(changed)); \(fix)")
            }
        }
    }

    /// Loads the model and its ControlNet after checking its files; a single
    /// file takes CLIP's vocabulary from `models`.
    public func load(models: ModelDirectory) throws -> (model: StableDiffusionModel, controlNet: ControlNet?) {
        try checkFiles()
        let loras = try self.loras.map { (try LoRA(path: $0.file.path), Float($0.scale)) }
        let model: StableDiffusionModel
        switch format {
        case .diffusers:
            model = try StableDiffusionModel(folder: path, loras: loras)
        case .singleFile:
            let checkpoint = try SingleFileCheckpoint(path: path, options: .init(prediction: prediction))
            model = try StableDiffusionModel(checkpoint: checkpoint, tokenizer: checkpoint.tokenizer(models: models),
                                             loras: loras)
        }
        return (model, try controlNet.map { try ControlNet(folder: $0) })
    }

    /// The files a model at `path` of `format` reads (a diffusers folder's
    /// configurations, tokenizer and chosen weights; a checkpoint itself), and
    /// those of a ControlNet folder.
    public static func files(of path: String, format: Format, controlNet: String?) throws -> [String] {
        var paths: [String] = []
        switch format {
        case .singleFile:
            paths.append(path)
        case .diffusers:
            for part in ["text_encoder", "unet", "vae"] {
                paths += [path + "/" + part + "/config.json"]
                paths += try DiffusersComponent.weightFiles(in: path + "/" + part)
            }
            paths += ["tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json",
                      "tokenizer/special_tokens_map.json", "scheduler/scheduler_config.json", "model_index.json"]
                .map { path + "/" + $0 }.filter { FileIO.size($0) != nil }
        }
        if let controlNet {
            paths += [controlNet + "/config.json"] + (try DiffusersComponent.weightFiles(in: controlNet))
        }
        return paths
    }

    /// Throws unless `name` is 1–64 lowercase letters, digits, `.`, `_` or `-`, starting with a letter or digit.
    public static func checkName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { ("a" ... "z").contains(Character(UnicodeScalar($0)))
            || ("0" ... "9").contains(Character(UnicodeScalar($0))) || "._-".utf8.contains($0) }
        guard !name.isEmpty, name.utf8.count <= 64, allowed, let first = name.first, first.isLetter || first.isNumber else {
            throw RestoreError(.invalidArgument, "model name '\(name)': use 1–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }
}
