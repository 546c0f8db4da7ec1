/// A value built by `PickleMachine`: the Python objects that PyTorch's
/// checkpoints pickle, with calls and persistent ids kept symbolic for the
/// checkpoint readers to interpret.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too wide for Int: its little-endian two's-complement bytes.
    case wideInt([UInt8])
    case float(Double)
    case string(String)
    /// A `bytes` (or Python 2 `str`) value.
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A module-level name (`GLOBAL`), e.g. `torch.FloatStorage`.
    case global(module: String, name: String)
    /// An instance: a call of a global with arguments (`REDUCE`, `NEWOBJ`), not evaluated.
    case call(module: String, name: String, arguments: [PickleValue])
    /// An object the pickle refers to by persistent id (`BINPERSID`).
    case persistent(PickleValue)

    /// What the value is, for messages.
    var kindDescription: String {
        switch self {
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let n): "the integer \(n)"
        case .wideInt: "a wide integer"
        case .float(let x): "the float \(x)"
        case .string(let s): "the string '\(s.prefix(40))'"
        case .bytes(let b): "\(b.count) bytes"
        case .tuple(let t): "a tuple of \(t.count)"
        case .list(let l): "a list of \(l.items.count)"
        case .dict(let d): "a dict of \(d.items.count)"
        case .global(let module, let name): "\(module).\(name)"
        case .call(let module, let name, _): "a call of \(module).\(name)"
        case .persistent: "a persistent id"
        }
    }
}

/// A pickled list (or set). A class, because pickles fill containers after memoising
/// them and later memo references must see the filled container.
final class PickleList {
    var items: [PickleValue] = []
}

/// A pickled dict (or `collections.OrderedDict`), keys in insertion order;
/// a class for the same reason as `PickleList`.
final class PickleDict {
    var items: [(key: PickleValue, value: PickleValue)] = []
}
