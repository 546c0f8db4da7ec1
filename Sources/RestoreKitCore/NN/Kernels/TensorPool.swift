#if canImport(Glibc)
import Glibc
#endif

/// The buffers of a network's finished tensors and scratch workspaces, kept
/// for its next ones.
///
/// A forward pass allocates every layer's output anew, and fresh memory costs
/// a page fault and the kernel's zeroing per page (an eighth of a waifu2x
/// pass). Networks run layer after layer of equal sizes, and callers run the
/// same network on tile after tile, so most outputs fit a buffer freed
/// moments before. Idle buffers are capped (`limit`); those a whole forward
/// pass left unused are freed when it ends (`endPass`), so a pool keeps about
/// one pass's buffers rather than one of every size it has seen; the rest are
/// freed with the pool.
final class TensorPool: @unchecked Sendable {
    /// The most floats kept idle by default: 256 MiB.
    static let defaultLimit = 1 << 26
    /// The most floats this pool keeps idle.
    let limit: Int

    private let lock = Lock()
    /// Idle buffers, each with the number of the latest pass begun when it was given back.
    private var idle: [(pointer: UnsafeMutablePointer<Float>, capacity: Int, pass: Int)] = []
    private var idleFloats = 0
    private var passes = 0

    /// A pool keeping at most `limit` floats idle (large models: their widened
    /// and transformed weights are hundreds of MiB, needed again layer after layer).
    init(limit: Int = TensorPool.defaultLimit) {
        self.limit = limit
    }

    deinit {
        for buffer in idle { free(buffer.pointer) }
    }

    /// The smallest idle buffer of `count` to 2 · `count` floats, if any.
    func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int)? {
        lock.withLock {
            var best: Int?
            for (i, buffer) in idle.enumerated() where buffer.capacity >= count && buffer.capacity / 2 <= count {
                if best.map({ buffer.capacity < idle[$0].capacity }) ?? true { best = i }
            }
            guard let best else { return nil }
            idleFloats -= idle[best].capacity
            let buffer = idle.remove(at: best)
            return (buffer.pointer, buffer.capacity)
        }
    }

    /// Starts a forward pass; `endPass` takes the number returned.
    func beginPass() -> Int {
        lock.withLock {
            passes += 1
            return passes
        }
    }

    /// Frees the idle buffers that pass `number` neither used nor gave back
    /// (passes may overlap on several threads: each frees only what none of
    /// the passes since it began has touched).
    func endPass(_ number: Int) {
        let stale: [UnsafeMutablePointer<Float>] = lock.withLock {
            let stale = idle.filter { $0.pass < number }
            idle.removeAll { $0.pass < number }
            idleFloats = idle.reduce(0) { $0 + $1.capacity }
            return stale.map(\.pointer)
        }
        stale.forEach { free($0) }
    }

    /// Keeps `pointer` (`capacity` floats, from `allocateFloats`) for a later
    /// tensor, or frees it when the pool is full.
    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let kept: Bool = lock.withLock {
            guard idleFloats + capacity <= limit else { return false }
            idle.append((pointer, capacity, passes))
            idleFloats += capacity
            return true
        }
        if !kept { free(pointer) }
    }

    /// At least `count` floats: an idle buffer of `pool` that fits, else a new
    /// one (`allocateFloats`); nil when out of memory.
    static func buffer(_ count: Int, from pool: TensorPool?) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int)? {
        if let reused = pool?.take(count) { return reused }
        return allocateFloats(count).map { ($0, count) }
    }

    /// Gives a buffer from `buffer(_:from:)` back to `pool`, or frees it when
    /// there is none.
    static func recycle(_ pointer: UnsafeMutablePointer<Float>, capacity: Int, to pool: TensorPool?) {
        if let pool { pool.give(pointer, capacity: capacity) } else { free(pointer) }
    }

    /// The pool that tensors created on this thread draw from (set by
    /// `Network.forward` around its layers), if any.
    static var current: TensorPool? {
        get { pthread_getspecific(currentKey).map { Unmanaged<TensorPool>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(currentKey, newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
