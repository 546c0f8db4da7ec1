/// The named tensors of one model, read lazily from weight files and handed out
/// by name with their shape checked.
///
/// Each name maps to a `StoredTensor`: a tensor of a safetensors file, or — when
/// a checkpoint in another layout is renamed into the model's names — a view of
/// one (renamed, a range of rows of a fused projection, reshaped). Values are
/// decoded only when taken.
///
/// A model takes every tensor it needs (`take`); `finish` then fails on any
/// tensor the model did not take, unless the caller's `unused` rule names it as
/// one that checkpoints carry and inference never reads. So a missing,
/// wrong-shaped or unexpected tensor is an error naming it, never skipped.
public final class WeightStore: @unchecked Sendable {
    /// Where the tensors come from, for messages.
    public let source: String
    private let tensors: [String: StoredTensor]
    private var taken: Set<String> = []
    /// Values added to tensors when they are taken (merged low-rank adaptations).
    private var additions: [String: [Float]] = [:]
    private let lock = Lock()

    /// The tensors of `files`; a name held by two files is an error.
    public convenience init(files: [SafeTensorsFile], source: String) throws {
        try self.init(tensors: files.flatMap { file in try file.tensors.map { (name: $0.name, tensor: try file.stored($0)) } },
                      source: source)
    }

    /// The tensors `tensors` under their names; a name given twice is an error.
    public init(tensors: [(name: String, tensor: StoredTensor)], source: String) throws {
        self.source = source
        var table: [String: StoredTensor] = [:]
        for (name, tensor) in tensors {
            guard table.updateValue(tensor, forKey: name) == nil else {
                throw RestoreError(.model, "\(source): tensor '\(name)' is given twice")
            }
        }
        self.tensors = table
    }

    /// Every tensor name.
    public var names: [String] { tensors.keys.sorted() }

    /// Whether a tensor `name` exists.
    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The shape of tensor `name`, if it exists.
    public func shape(_ name: String) -> [Int]? { tensors[name]?.shape }

    /// The values of tensor `name` as Float, which must have `shape`.
    public func take(_ name: String, shape: [Int]) throws -> [Float] {
        try take(name, shape: shape, compact: false).floats
    }

    /// The values of tensor `name`, which must have `shape`, in the precision the
    /// file stores them (fp16 and bf16 in half the memory) unless an adaptation
    /// was added to them.
    func takeCompact(_ name: String, shape: [Int]) throws -> CompactWeights {
        if let tensor = tensors[name], tensor.shape == shape, let (pointer, owner) = tensor.mappedHalves() {
            let unadapted: Bool = lock.withLock {
                guard additions[name] == nil else { return false }
                taken.insert(name)
                return true
            }
            if unadapted {
                return CompactWeights(storage: .mapped(pointer, count: tensor.count, bfloat: tensor.dtype == .bf16,
                                                       owner: owner))
            }
        }
        let (floats, dtype) = try take(name, shape: shape, compact: true)
        switch dtype {
        case .f16: return CompactWeights(floats, halfPrecision: true)
        case .bf16: return CompactWeights(storage: .bfloat16(floats.map { UInt16($0.bitPattern >> 16) }))
        default: return CompactWeights(floats)
        }
    }

    /// The values and, when `compact` and unadapted, the stored dtype.
    private func take(_ name: String, shape: [Int], compact: Bool) throws -> (floats: [Float], dtype: SafeTensorsDType) {
        guard let tensor = tensors[name] else {
            throw RestoreError(.model, "\(source): tensor '\(name)' of shape \(shape) is missing")
        }
        guard tensor.shape == shape else {
            throw RestoreError(.model, "\(source): tensor \(describe(name, tensor)) has shape \(tensor.shape), expected \(shape)")
        }
        let addition = lock.withLock {
            taken.insert(name)
            return additions[name]
        }
        var values = try tensor.floats()
        guard let addition else { return (values, tensor.dtype) }
        for i in values.indices { values[i] += addition[i] }
        return (values, .f32)
    }

    /// Adds `delta` (the tensor's shape, row-major) to tensor `name` when it is
    /// taken; deltas for the same tensor add up.
    public func add(_ delta: [Float], to name: String) throws {
        guard let tensor = tensors[name] else {
            throw RestoreError(.model, "\(source): no tensor '\(name)' to adapt")
        }
        guard delta.count == tensor.count else {
            throw RestoreError(.model, "\(source): an adaptation of \(delta.count) values does not fit '\(name)' \(tensor.shape)")
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
        let left = lock.withLock { tensors.keys.filter { !taken.contains($0) && !unused($0) }.sorted() }
        guard left.isEmpty else {
            let shown = left.prefix(5).map { "\(describe($0, tensors[$0]!)) \(tensors[$0]!.shape)" }.joined(separator: ", ")
            throw RestoreError(.model, "\(source): \(left.count) tensor\(left.count == 1 ? "" : "s") the model does not use: \(shown)\(left.count > 5 ? ", …" : "")")
        }
    }

    /// `'name'`, with the file's tensor it was made from when that differs.
    private func describe(_ name: String, _ tensor: StoredTensor) -> String {
        tensor.origin == name ? "'\(name)'" : "'\(name)' (from '\(tensor.origin)')"
    }
}
