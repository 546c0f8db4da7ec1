import ArgumentParser
import Foundation
import RestoreKitCore

/// `restorekit models import`: registers a Stable Diffusion model the user has
/// (a diffusers folder or a single-file checkpoint) by reference, after loading
/// it once to prove it is whole.
struct ImportModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Register a Stable Diffusion model (diffusers folder or single-file checkpoint) for generative restoration.",
        discussion: """
            The model is loaded once to check it (every tensor's name and shape), then listed in \
            \(GenerativeManifest.fileName) in the models folder with each file's path, size and sha256; \
            files stay where they are unless --copy is given. Restore with it by name: \
            restorekit restore IN OUT --model NAME --prompt "…". No weights ship with RestoreKit.
            """)

    @Argument(help: "A diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/) or a .safetensors/.ckpt/.pt checkpoint.")
    var path: String
    @Option(help: "The name to choose it by (lowercase letters, digits, '.', '_', '-').")
    var name: String
    @Option(help: "one-step (OSEDiff's) or refine (the prompt's restorers, then img2img).")
    var recipe: String = "refine"
    @Option(parsing: .singleValue, help: "A LoRA to merge at load, FILE or FILE:SCALE (repeatable).")
    var lora: [String] = []
    @Option(help: "A ControlNet (diffusers folder) conditioned on the structure image (refine).")
    var controlnet: String?
    @Option(help: "The sampler refine runs: \(SchedulerFactory.names.joined(separator: ", ")) (default: the model's own, else ddim); lcm with an LCM LoRA for 2–4 steps.")
    var scheduler: String?
    @Option(help: "What a single-file checkpoint's UNet predicts: epsilon or v.")
    var prediction: String = "epsilon"
    @Flag(help: "Copy the files into the models folder instead of referring to them.")
    var copy = false
    @Option(help: "Models folder (default: $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models).")
    var dir: String?

    func run() throws {
        try reportingErrors {
            let folder = dir ?? ModelDirectory.defaultPath
            try ImportedModel.checkName(name)
            guard let recipe = ImportedModel.Recipe(rawValue: recipe) else {
                throw RestoreError(.invalidArgument, "--recipe '\(recipe)': expected one-step or refine")
            }
            guard let prediction = ["epsilon": SingleFileCheckpoint.Prediction.epsilon, "v": .v][prediction] else {
                throw RestoreError(.invalidArgument, "--prediction '\(prediction)': expected epsilon or v")
            }
            if let scheduler, !SchedulerFactory.names.contains(scheduler) {
                throw RestoreError(.invalidArgument, "--scheduler '\(scheduler)': expected one of \(SchedulerFactory.names.joined(separator: ", "))")
            }
            if controlnet != nil || scheduler != nil, recipe == .oneStep {
                throw RestoreError(.invalidArgument, "--controlnet and --scheduler need the refine recipe; one-step runs neither")
            }
            var manifest = try GenerativeManifest(folder: folder)
            let builtIn = ["auto"] + RestorationEngine(modelsDirectory: folder).backends.filter { !$0.isGenerative }.map(\.name)
            if builtIn.contains(name) || manifest[name] != nil {
                throw RestoreError(.invalidArgument, "a model named '\(name)' exists already (\(builtIn.contains(name) ? "built in" : "imported; 'restorekit models remove \(name)' first"))")
            }
            let source = URL(fileURLWithPath: path).standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) else {
                throw RestoreError(.io, "'\(path)' does not exist")
            }
            let format: ImportedModel.Format = isFolder.boolValue ? .diffusers : .singleFile
            if format == .singleFile, ![".safetensors", ".ckpt", ".pt"].contains(where: source.hasSuffix) {
                throw RestoreError(.invalidArgument, "'\(path)' is neither a diffusers folder nor a .safetensors, .ckpt or .pt checkpoint")
            }
            let loras = try lora.map { spec -> (String, Double) in
                let (file, scale) = Self.split(spec)
                guard let value = Double(scale), value.isFinite else {
                    throw RestoreError(.invalidArgument, "--lora '\(spec)': the scale after ':' must be a number")
                }
                return (URL(fileURLWithPath: file).standardizedFileURL.path, value)
            }
            let control = controlnet.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let modelPath = copy ? try Self.copyIn(source, name: name, folder: folder) : source
            do {
                let files = try ImportedModel.files(of: modelPath, format: format, controlNet: control)
                var model = ImportedModel(name: name, recipe: recipe, format: format, path: modelPath, base: "",
                                          prediction: prediction, files: try files.map(ImportedModel.File.reading),
                                          loras: try loras.map { .init(file: try .reading($0.0), scale: $0.1) },
                                          controlNet: control, scheduler: scheduler)
                let loaded = try model.load(models: ModelDirectory(path: folder))
                let width = loaded.model.textEncoder.configuration.width
                let base = width == 768 ? "SD 1.x" : width == 1024 ? "SD 2.x" : "SD-like (text width \(width))"
                model = ImportedModel(name: name, recipe: recipe, format: format, path: modelPath, base: base,
                                      prediction: prediction, files: model.files, loras: model.loras,
                                      controlNet: control, scheduler: scheduler)
                manifest.models.append(model)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try manifest.write(folder: folder)
                print("imported \(name): \(recipe.rawValue), \(base), \(Self.bytes(model.size)) in \(model.files.count + model.loras.count) files, \(modelPath)")
            } catch {
                if copy { try? FileManager.default.removeItem(atPath: modelPath) }
                throw error
            }
        }
    }

    /// "FILE:SCALE" as (FILE, SCALE); scale 1 when there is no ':' followed by a number.
    static func split(_ spec: String) -> (String, String) {
        guard let colon = spec.lastIndex(of: ":"), Double(spec[spec.index(after: colon)...]) != nil else { return (spec, "1") }
        return (String(spec[..<colon]), String(spec[spec.index(after: colon)...]))
    }

    /// Copies the model into `folder`/generative/`name`; returns its new path.
    static func copyIn(_ source: String, name: String, folder: String) throws -> String {
        let target = folder + "/generative/" + name
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            let destination = target + "/" + (source as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: source, toPath: destination)
            return destination
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw RestoreError(.io, "cannot copy '\(source)' into '\(target)': \(error.localizedDescription)")
        }
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 30 ? String(format: "%.1f GiB", Double(n) / Double(1 << 30))
            : String(format: "%.1f MiB", Double(n) / Double(1 << 20))
    }
}

/// `restorekit models remove NAME`: drops an imported model from the manifest
/// (and deletes its files only when `models import --copy` put them there).
struct RemoveModel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Unregister an imported generative model.")

    @Argument(help: "The imported model's name.")
    var name: String
    @Option(help: "Models folder (default: $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models).")
    var dir: String?

    func run() throws {
        try reportingErrors {
            let folder = dir ?? ModelDirectory.defaultPath
            var manifest = try GenerativeManifest(folder: folder)
            guard let model = manifest[name] else {
                let names = manifest.models.map(\.name)
                throw RestoreError(.invalidArgument, "no imported model '\(name)'" + (names.isEmpty ? "" : "; imported: \(names.joined(separator: ", "))"))
            }
            manifest.models.removeAll { $0.name == name }
            try manifest.write(folder: folder)
            let copied = folder + "/generative/" + name
            if model.path.hasPrefix(copied + "/") { try? FileManager.default.removeItem(atPath: copied) }
            print("removed \(name)")
        }
    }
}

/// The imported generative models, for `models list`.
func listGenerativeModels(folder: String, verify: Bool) throws -> Int {
    let manifest = try GenerativeManifest(folder: folder)
    if manifest.models.isEmpty { print("generative models: none imported ('restorekit models import PATH --name NAME')") }
    var damaged = 0
    for m in manifest.models {
        var line = "\(m.name): generative, \(m.recipe.rawValue), \(m.base), \(ImportModel.bytes(m.size)), \(m.format.rawValue) \(m.path)"
        for lora in m.loras { line += " + LoRA \(lora.file.path) × \(lora.scale)" }
        if let control = m.controlNet { line += " + ControlNet \(control)" }
        if let scheduler = m.scheduler { line += ", \(scheduler) sampler" }
        print(line)
        do {
            try m.checkFiles(verify: verify)
        } catch let error as RestoreError {
            print("  DAMAGED: \(error.message)")
            damaged += 1
        }
    }
    return damaged
}
