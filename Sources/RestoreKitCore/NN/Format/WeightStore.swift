/// The named tensors of one model, read from safetensors files and handed out
/// by name with their shape checked.
///
/// A model takes every tensor it needs (`take`); `finish` then fails on any
/// tensor the model did not take, unless the caller's `unused` rule names it as
/// one that checkpoints carry and inference never reads. So a missing,
/// wrong-shaped or unexpected tensor is an error naming it, never skipped.
public final class WeightStore: @unchecked Sendable {
    /// Where the tensors come from, for messages.
    public let source: String
    private let files: [SafeTensorsFile]
    private var location: [String: (file: Int, info: SafeTensorsFile.TensorInfo)] = [:]
    private var taken: Set<String> = []
    /// Values added to tensors when they are taken (merged low-rank adaptations).
    private var additions: [String: [Float]] = [:]
    private let lock = Lock()

    /// The tensors of `files`; a name held by two files is an error.
    public init(files: [SafeTensorsFile], source: String) throws {
        self.files = files
        self.source = source
        for (i, file) in files.enumerated() {
            for info in file.tensors {
                guard location[info.name] == nil else {
                    throw RestoreError(.model, "\(source): tensor '\(info.name)' is in two files")
                }
                location[info.name] = (i, info)
            }
        }
    }

    /// Every tensor name.
    public var names: [String] { location.keys.sorted() }

    /// Whether a tensor `name` exists.
    public func contains(_ name: String) -> Bool { location[name] != nil }

    /// The shape of tensor `name`, if it exists.
    public func shape(_ name: String) -> [Int]? { location[name]?.info.shape }

    /// The values of tensor `name` as Float, which must have `shape`.
    public func take(_ name: String, shape: [Int]) throws -> [Float] {
        guard let (file, info) = location[name] else {
            throw RestoreError(.model, "\(source): tensor '\(name)' of shape \(shape) is missing")
        }
        guard info.shape == shape else {
            throw RestoreError(.model, "\(source): tensor '\(name)' has shape \(info.shape), expected \(shape)")
        }
        let addition = lock.withLock {
            taken.insert(name)
            return additions[name]
        }
        var values = try files[file].floats(name)
        if let addition {
            for i in values.indices { values[i] += addition[i] }
        }
        return values
    }

    /// Adds `delta` (the tensor's shape, row-major) to tensor `name` when it is
    /// taken; deltas for the same tensor add up.
    public func add(_ delta: [Float], to name: String) throws {
        guard let info = location[name]?.info else {
            throw RestoreError(.model, "\(source): no tensor '\(name)' to adapt")
        }
        guard delta.count == info.count else {
            throw RestoreError(.model, "\(source): an adaptation of \(delta.count) values does not fit '\(name)' \(info.shape)")
        }
        try lock.withLock {
            guard !taken.contains(name) else {
                throw RestoreError(.model, "\(source): '\(name)' was read before its adaptation was added")
            }
            if let previous = additions[name] {
                additions[name] = zip(previous, delta).map(+)
            } else {
                additions[name] = delta
            }
        }
    }

    /// Fails naming the tensors no one took, except those `unused` accepts.
    public func finish(unused: (String) -> Bool = { _ in false }) throws {
        let left = lock.withLock { location.keys.filter { !taken.contains($0) && !unused($0) }.sorted() }
        guard left.isEmpty else {
            let shown = left.prefix(5).map { "'\($0)' \(location[$0]!.info.shape)" }.joined(separator: ", ")
            throw RestoreError(.model, "\(source): \(left.count) tensor\(left.count == 1 ? "" : "s") the model does not use: \(shown)\(left.count > 5 ? ", …" : "")")
        }
    }
}
