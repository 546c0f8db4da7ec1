/// A low-rank adaptation (LoRA) file merged into a model's weights at load:
/// each adapted weight W becomes W + scale · (α / rank) · up · down.
///
/// Two namings are read, as the tools that make LoRAs write them:
/// - kohya (sd-scripts, most shared files): `lora_unet_<module>` and
///   `lora_te_<module>` with `.lora_down.weight`, `.lora_up.weight` and an
///   optional `.alpha`; `<module>` is the diffusers / transformers module path with
///   dots written as underscores;
/// - diffusers / PEFT: `unet.<module>` and `text_encoder.<module>` with
///   `.lora_A.weight` / `.lora_B.weight` (or diffusers' older `.lora.down.weight` /
///   `.lora.up.weight`), α = rank unless an `.alpha` tensor is given.
/// Linear and convolution weights are both adapted (a convolution's down matrix
/// holds its kernel). An adaptation whose module the model lacks, whose shapes do
/// not fit, or a tensor that belongs to no adaptation is an error naming it.
public struct LoRA {
    /// The model a group of adaptations applies to.
    public enum Target: String, Sendable, CaseIterable {
        case unet
        case textEncoder = "text_encoder"
    }

    private struct Adaptation {
        let target: Target
        /// The module as the file names it, after its prefix.
        let module: String
        /// Whether `module` uses underscores for dots (kohya).
        let underscored: Bool
        let down: String
        let up: String
        let alpha: String?
    }

    public let path: String
    private let file: SafeTensorsFile
    private let adaptations: [Adaptation]

    /// Reads the file's tensor names and groups them into adaptations.
    public init(path: String) throws {
        self.path = path
        file = try SafeTensorsFile(path: path)
        let names = Set(file.tensors.map(\.name))
        var found: [Adaptation] = []
        var used: Set<String> = []
        let layouts: [(down: String, up: String)] = [(".lora_down.weight", ".lora_up.weight"),
                                                     (".lora_A.weight", ".lora_B.weight"),
                                                     (".lora.down.weight", ".lora.up.weight")]
        for name in names.sorted() {
            guard let layout = layouts.first(where: { name.hasSuffix($0.down) }) else { continue }
            let key = String(name.dropLast(layout.down.count))
            let up = key + layout.up
            guard names.contains(up) else {
                throw RestoreError(.model, "'\(path)': '\(name)' has no matching '\(up)'")
            }
            let alpha = names.contains(key + ".alpha") ? key + ".alpha" : nil
            let target: Target, module: String, underscored: Bool
            if key.hasPrefix("lora_unet_") {
                (target, module, underscored) = (.unet, String(key.dropFirst("lora_unet_".count)), true)
            } else if key.hasPrefix("lora_te_") {
                (target, module, underscored) = (.textEncoder, String(key.dropFirst("lora_te_".count)), true)
            } else if key.hasPrefix("unet.") {
                (target, module, underscored) = (.unet, String(key.dropFirst("unet.".count)), false)
            } else if key.hasPrefix("text_encoder.") {
                (target, module, underscored) = (.textEncoder, String(key.dropFirst("text_encoder.".count)), false)
            } else {
                throw RestoreError(.unsupported, "'\(path)': adaptation '\(key)' is for no model RestoreKit runs (expected lora_unet_, lora_te_, unet. or text_encoder.)")
            }
            found.append(Adaptation(target: target, module: module, underscored: underscored, down: name, up: up, alpha: alpha))
            used.formUnion([name, up] + (alpha.map { [$0] } ?? []))
        }
        if let stray = names.subtracting(used).sorted().first {
            throw RestoreError(.model, "'\(path)': tensor '\(stray)' belongs to no adaptation")
        }
        guard !found.isEmpty else { throw RestoreError(.model, "'\(path)' holds no LoRA adaptations") }
        adaptations = found
    }

    /// Whether the file adapts `target`.
    public func adapts(_ target: Target) -> Bool { adaptations.contains { $0.target == target } }

    /// Adds each adaptation for `target`, times `scale`, to the weights in `store`
    /// (named as diffusers and transformers name them) before the model reads them.
    public func merge(into store: WeightStore, target: Target, scale: Float) throws {
        var modules: [String: String] = [:], ambiguous: Set<String> = []
        for name in store.names where name.hasSuffix(".weight") {
            let module = String(name.dropLast(".weight".count))
            modules[module] = name
            let underscored = module.replacing(".", with: "_")
            if let other = modules[underscored], other != name { ambiguous.insert(underscored) }
            modules[underscored] = name
        }
        for a in adaptations where a.target == target {
            guard !(a.underscored && ambiguous.contains(a.module)) else {
                throw RestoreError(.model, "'\(path)': module '\(a.module)' names more than one weight of the \(target.rawValue)")
            }
            guard let weight = modules[a.module] else {
                throw RestoreError(.model, "'\(path)': the \(target.rawValue) has no module '\(a.module)' to adapt")
            }
            let shape = store.shape(weight)!
            let down = try file.info(a.down), up = try file.info(a.up)
            let rank = down.shape.first ?? 0
            // A file's shapes may hold any sizes (a zero-size dimension lets the others be huge):
            // every product is checked, and the weight must have elements.
            let outputs = shape.first ?? 0, inputs = StoredTensor.count(Array(shape.dropFirst())) ?? 0
            let (downCount, o1) = rank.multipliedReportingOverflow(by: inputs)
            let (upCount, o2) = outputs.multipliedReportingOverflow(by: rank)
            guard rank > 0, outputs > 0, inputs > 0, !o1, !o2, down.count == downCount, up.count == upCount,
                  up.shape.first == outputs else {
                throw RestoreError(.model, "'\(path)': '\(a.down)' \(down.shape) and '\(a.up)' \(up.shape) do not fit '\(weight)' \(shape)")
            }
            var factor = scale
            if let alpha = a.alpha {
                let value = try file.floats(alpha)
                guard value.count == 1 else { throw RestoreError(.model, "'\(path)': '\(alpha)' is not one number") }
                factor *= value[0] / Float(rank)
            }
            let upValues = try file.floats(a.up), downValues = try file.floats(a.down)
            var delta = [Float](repeating: 0, count: outputs * inputs)
            upValues.withUnsafeBufferPointer { u in
                downValues.withUnsafeBufferPointer { d in
                    delta.withUnsafeMutableBufferPointer { c in
                        BLAS.sgemm(m: outputs, n: inputs, k: rank, a: u.baseAddress!, lda: rank, b: d.baseAddress!,
                                   ldb: inputs, c: c.baseAddress!, ldc: inputs, alpha: factor)
                    }
                }
            }
            try store.add(delta, to: weight)
        }
    }
}
