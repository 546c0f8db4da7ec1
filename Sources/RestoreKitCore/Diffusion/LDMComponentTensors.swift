/// The tensors of one component of a single-file Stable Diffusion checkpoint
/// (the UNet under `model.diffusion_model.`, the VAE under `first_stage_model.`,
/// …), named without that prefix: what the layouts infer a configuration from
/// and rename into diffusers' names.
struct LDMComponentTensors {
    /// The checkpoint's path, for messages.
    let file: String
    /// The component's prefix in the checkpoint.
    let prefix: String
    /// The tensors by name without the prefix.
    let tensors: [String: StoredTensor]

    func has(_ name: String) -> Bool { tensors[name] != nil }

    /// The shape of tensor `name`, which must exist and have `rank` dimensions;
    /// `purpose` says what it is needed for.
    func shape(_ name: String, rank: Int, _ purpose: String) throws -> [Int] {
        guard let tensor = tensors[name] else {
            throw RestoreError(.model, "'\(file)': tensor '\(prefix + name)' is missing (needed for \(purpose))")
        }
        guard tensor.shape.count == rank else {
            throw RestoreError(.model, "'\(file)': tensor '\(prefix + name)' has shape \(tensor.shape), expected \(rank) dimensions (\(purpose))")
        }
        return tensor.shape
    }

    /// The numbers N of the names `group.N.…`, ascending; an error unless they
    /// run 0, 1, … without gaps (the blocks of an `nn.ModuleList` or `nn.Sequential`).
    func indices(_ group: String) throws -> [Int] {
        let head = group + "."
        var found: Set<Int> = []
        for name in tensors.keys where name.hasPrefix(head) {
            if let number = name.dropFirst(head.count).split(separator: ".", maxSplits: 1).first.flatMap({ Int($0) }) {
                found.insert(number)
            }
        }
        let sorted = found.sorted()
        guard sorted == Array(0 ..< sorted.count) else {
            throw RestoreError(.model, "'\(file)': the blocks '\(prefix + head)N' are numbered \(sorted), not 0…\(sorted.count - 1)")
        }
        return sorted
    }

    /// The component's tensors under diffusers' names: `rename` maps each name to
    /// its entries (several for a fused tensor to split, none for one to skip),
    /// or nil for a name that fits no part of the component — an error naming
    /// such tensors, since a tensor the file holds for the model is never dropped.
    /// (A renamed tensor the model then does not take is `WeightStore.finish`'s error.)
    func store(_ component: String, _ rename: (String, StoredTensor) throws -> [(name: String, tensor: StoredTensor)]?)
        throws -> WeightStore {
        var entries: [(name: String, tensor: StoredTensor)] = []
        var unplaced: [String] = []
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            if let renamed = try rename(name, tensor) {
                entries += renamed
            } else {
                unplaced.append("'\(prefix + name)' \(tensor.shape)")
            }
        }
        guard unplaced.isEmpty else {
            throw RestoreError(.model, "'\(file)': \(unplaced.count) tensor\(unplaced.count == 1 ? "" : "s") that fit no part of the \(component): \(unplaced.prefix(5).joined(separator: ", "))\(unplaced.count > 5 ? ", …" : "")")
        }
        return try WeightStore(tensors: entries, source: "'\(file)' (\(component))")
    }

    /// An error about tensor `name` of this component.
    func error(_ name: String, _ what: String) -> RestoreError {
        RestoreError(.model, "'\(file)': tensor '\(prefix + name)' \(what)")
    }
}
