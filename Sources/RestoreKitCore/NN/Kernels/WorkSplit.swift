/// How the engine spreads a layer's work over its threads.
enum WorkSplit {
    /// The workers a layer's products are partitioned for, whatever the thread
    /// count: the threads then take the blocks one at a time. OpenBLAS's sums
    /// depend on a product's shape, so partitions sized by the thread count would
    /// make the output bytes depend on it.
    static let partitionWorkers = 4

    /// Runs `body(block, worker)` for every block in 0..<count on up to
    /// `threads` workers; `worker` (0..<threads) names the caller's scratch
    /// buffers in a `Workspace`. Blocks are handed out one at a time, so a
    /// worker slowed by another process does not hold the others back.
    static func forEachBlock(_ count: Int, threads: Int, _ body: (_ block: Int, _ worker: Int) -> Void) {
        let workers = max(1, min(threads, count))
        guard workers > 1 else {
            for block in 0 ..< count { body(block, 0) }
            return
        }
        let lock = Lock()
        var next = 0
        parallelFor(workers, threads: workers) { worker in
            while true {
                let block: Int = lock.withLock {
                    defer { next += 1 }
                    return next
                }
                if block >= count { return }
                body(block, worker)
            }
        }
    }

    /// Runs `body(range)` over consecutive ranges covering 0..<count, in
    /// parallel when there is enough work to pay for the threads.
    static func forEachRange(_ count: Int, threads: Int, minimumChunk: Int = 1 << 15,
                             _ body: (Range<Int>) -> Void) {
        let chunks = max(1, min(threads * 4, count / max(minimumChunk, 1)))
        guard chunks > 1, threads > 1 else {
            if count > 0 { body(0 ..< count) }
            return
        }
        let size = (count + chunks - 1) / chunks
        parallelFor(chunks, threads: threads) { i in
            let lower = i * size
            if lower < count { body(lower ..< min(count, lower + size)) }
        }
    }
}
