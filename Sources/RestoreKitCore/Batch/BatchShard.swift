/// One of N disjoint parts of a batch (`restorekit batch --shard I/N`): every
/// process that is given the same list and N takes its part with no
/// coordination. The list is sorted by output path and item k belongs to shard
/// k mod N, so parts differ in size by at most one and do not depend on the
/// order files were found in.
public struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// This shard, 0 ..< count.
    public let index: Int
    /// How many shards share the batch.
    public let count: Int

    /// The whole batch in one process.
    public static let whole = BatchShard(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "I/N" with 0 ≤ I < N (e.g. "3/8"; N at most 100 000).
    ///
    /// - Throws: `invalidArgument` naming the text and the rule.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && $0.utf8.count <= 6 }),
              let i = Int(parts[0]), let n = Int(parts[1])
        else {
            throw RestoreError(.invalidArgument,
                               "--shard takes I/N, two whole numbers with 0 ≤ I < N (e.g. 0/4), not '\(text)'")
        }
        guard n >= 1, n <= 100_000 else {
            throw RestoreError(.invalidArgument, "--shard '\(text)': N must be 1–100000")
        }
        guard i < n else {
            throw RestoreError(.invalidArgument,
                               "--shard '\(text)': I must be 0–\(n - 1) (shards are numbered from 0)")
        }
        self.init(uncheckedIndex: i, count: n)
    }

    /// "I/N".
    public var description: String { "\(index)/\(count)" }

    /// The file name of this shard's record in the output folder.
    public var recordName: String { ".restorekit-batch-\(index)-of-\(count).jsonl" }

    /// The file name of this shard's log (one line per image of the latest run).
    public var logName: String { "restorekit-batch-\(index)-of-\(count).log.jsonl" }

    /// The positions in a sorted list of `total` items that this shard takes.
    public func positions(of total: Int) -> StrideTo<Int> {
        stride(from: index, to: total, by: count)
    }

    /// Items of `items` (sorted by `key`, which must be unique) that this shard takes.
    public func select<T>(_ items: [T], by key: (T) -> String) -> [T] {
        let sorted = items.sorted { key($0).utf8.lexicographicallyPrecedes(key($1).utf8) }
        return positions(of: sorted.count).map { sorted[$0] }
    }
}
