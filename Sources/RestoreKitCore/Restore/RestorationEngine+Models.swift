extension RestorationEngine {
    /// The models a request can name, as a JSON array of objects: "auto"; each
    /// backend by `name` with its `kind` ("learned", "classic" or "generative")
    /// and the stage options it `reads` (option names as `RequestOption.json`
    /// gives them); a generative model also with its `recipe` and `base`.
    public var modelsJSON: String {
        var entries = ["{\"name\": \"auto\", \"kind\": \"automatic\", \"reads\": []}"]
        for backend in backends {
            let kind = backend.isGenerative ? "generative" : backend.name == ClassicBackend().name ? "classic" : "learned"
            let reads = RequestOption.all.filter { backend.reads.contains($0.id) }.map { $0.id.rawValue.jsonQuoted }
            var entry = "{\"name\": \(backend.name.jsonQuoted), \"kind\": \"\(kind)\", \"reads\": [\(reads.joined(separator: ", "))]"
            if let generative = backend as? GenerativeBackend {
                entry += ", \"recipe\": \(generative.model.recipe.rawValue.jsonQuoted), \"base\": \(generative.model.base.jsonQuoted)"
            }
            entries.append(entry + "}")
        }
        return "[" + entries.joined(separator: ", ") + "]"
    }
}
