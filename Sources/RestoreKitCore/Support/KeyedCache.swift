/// Values made once per key and kept, never evicted: for things that are
/// costly to make, small next to what they serve, and asked for again and
/// again (FFT plans by size, networks by file). Safe to share between threads.
final class KeyedCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = Lock()

    /// The value kept under `key`, else the one `make` makes, kept. Two
    /// threads asking at once may both make it; the first stored wins.
    func value(for key: Key, make: () throws -> Value) rethrows -> Value {
        if let value = lock.withLock({ values[key] }) { return value }
        let value = try make()
        return lock.withLock {
            if let existing = values[key] { return existing }
            values[key] = value
            return value
        }
    }
}
