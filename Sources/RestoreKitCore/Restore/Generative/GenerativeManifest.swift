/// The imported generative models of a models folder: its `generative.json`,
/// written by `restorekit models import` and `models remove`, read by every
/// surface through `RestorationEngine(modelsDirectory:)`, so the CLI, C, Python,
/// GEGL and GIMP see the same models.
public struct GenerativeManifest: Sendable, Equatable {
    /// The manifest's file name inside the models folder.
    public static let fileName = "generative.json"
    /// The value of its "format" member.
    static let format = "restorekit-generative-1"

    /// The models, in import order.
    public var models: [ImportedModel]

    public init(models: [ImportedModel] = []) {
        self.models = models
    }

    /// The manifest of the models folder `folder`: empty when it has none;
    /// a malformed one is a `RestoreError(.model)` naming the file.
    public init(folder: String) throws {
        let path = folder + "/" + Self.fileName
        guard FileIO.size(path) != nil else {
            self.init()
            return
        }
        let json = try JSONValue.read(path)
        func bad(_ what: String) -> RestoreError {
            RestoreError(.model, "'\(path)' is damaged (\(what)); remove it and import the models again")
        }
        guard json["format"]?.string == Self.format, let entries = json["models"]?.array else {
            throw bad("no \(Self.format) format or models list")
        }
        func file(_ value: JSONValue) throws -> ImportedModel.File {
            guard let path = value["path"]?.string, let size = value["size"]?.int, size >= 0,
                  let sha = value["sha256"]?.string else {
                throw bad("a file without path, size or sha256")
            }
            return ImportedModel.File(path: path, size: size, sha256: sha)
        }
        let models = try entries.map { entry in
            guard let name = entry["name"]?.string, let recipe = entry["recipe"]?.string.flatMap(ImportedModel.Recipe.init),
                  let format = entry["format"]?.string.flatMap(ImportedModel.Format.init),
                  let path = entry["path"]?.string, let base = entry["base"]?.string,
                  let prediction = entry["prediction"]?.string.flatMap(SingleFileCheckpoint.Prediction.init),
                  let files = entry["files"]?.array, let loras = entry["loras"]?.array else {
                throw bad("a model entry lacks a member or has a wrong value")
            }
            return ImportedModel(
                name: name, recipe: recipe, format: format, path: path, base: base, prediction: prediction,
                files: try files.map(file),
                loras: try loras.map { lora in
                    guard let scale = lora["scale"]?.double, scale.isFinite, let f = lora["file"] else {
                        throw bad("a LoRA without a finite scale")
                    }
                    return ImportedModel.LoRAFile(file: try file(f), scale: scale)
                },
                controlNet: entry["controlnet"]?.string, scheduler: entry["scheduler"]?.string)
        }
        self.init(models: models)
    }

    /// The model named `name`, if imported.
    public subscript(name: String) -> ImportedModel? { models.first { $0.name == name } }

    /// The manifest as JSON text.
    public var text: String {
        func file(_ f: ImportedModel.File) -> String {
            "{\"path\": \(f.path.jsonQuoted), \"size\": \(f.size), \"sha256\": \(f.sha256.jsonQuoted)}"
        }
        let entries = models.map { m in
            let files = m.files.map { "        " + file($0) }.joined(separator: ",\n")
            let loras = m.loras.map { "        {\"file\": \(file($0.file)), \"scale\": \($0.scale)}" }
                .joined(separator: ",\n")
            return """
                    {
                      "name": \(m.name.jsonQuoted), "recipe": \(m.recipe.rawValue.jsonQuoted), \
                "format": \(m.format.rawValue.jsonQuoted),
                      "path": \(m.path.jsonQuoted), "base": \(m.base.jsonQuoted), \
                "prediction": \(m.prediction.rawValue.jsonQuoted),
                      "controlnet": \(m.controlNet.map(\.jsonQuoted) ?? "null"), \
                "scheduler": \(m.scheduler.map(\.jsonQuoted) ?? "null"),
                      "files": [
                \(files)
                      ],
                      "loras": [\(loras.isEmpty ? "" : "\n" + loras + "\n      ")]
                    }
                """
        }
        return "{\n  \"format\": \(Self.format.jsonQuoted),\n  \"models\": [\n"
            + entries.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// Writes the manifest into the models folder `folder`, atomically.
    public func write(folder: String) throws {
        try FileIO.writeAtomically(Array(text.utf8), to: folder + "/" + Self.fileName)
    }
}
