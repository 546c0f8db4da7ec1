#if canImport(Glibc)
import Glibc
#endif

/// Scratch buffers reused by every layer of a forward pass: one set per worker
/// thread, grown to the largest request and freed (or pooled) with the workspace.
///
/// Winograd blocks and im2col bands ask for the same few buffers layer after
/// layer; keeping them avoids an allocation (and page faults on fresh memory)
/// per layer. A layer reserves what it needs before its parallel section
/// (`reserve`, which can fail cleanly); worker `w` then only touches its own
/// slots, so no locking is needed.
final class Workspace: @unchecked Sendable {
    /// The buffers one worker uses at once.
    enum Slot: Int, CaseIterable {
        /// Winograd-transformed input block, or im2col columns.
        case input
        /// Deconvolution columns.
        case output
        /// Winograd products before the output transform: zero whenever no
        /// layer uses it (zeroed when allocated, and each user zeroes what it
        /// read), so the GEMMs accumulate into it and sgemm skips its pass
        /// that clears C.
        case products
    }

    private final class Buffer {
        let pool: TensorPool?
        var pointer: UnsafeMutablePointer<Float>?
        var capacity = 0

        init(pool: TensorPool?) { self.pool = pool }

        deinit { release() }

        /// Gives the memory back (to the pool, if any).
        func release() {
            guard let pointer else { return }
            TensorPool.recycle(pointer, capacity: capacity, to: pool)
            self.pointer = nil
            capacity = 0
        }
    }

    /// Workers the buffers are laid out for.
    let workers: Int
    private let buffers: [Buffer]

    /// Buffers for `workers` workers, drawn from and given back to `pool`
    /// when there is one (the network's, so later passes find them faulted in).
    init(workers: Int, pool: TensorPool? = nil) {
        self.workers = max(1, workers)
        buffers = (0 ..< self.workers * Slot.allCases.count).map { _ in Buffer(pool: pool) }
    }

    /// Makes every worker's `slot` hold at least `count` floats (`onlyFirst`:
    /// worker 0's alone, for a buffer all workers share).
    func reserve(_ slot: Slot, count: Int, onlyFirst: Bool = false) throws {
        for worker in 0 ..< (onlyFirst ? 1 : workers) {
            let buffer = buffers[worker * Slot.allCases.count + slot.rawValue]
            guard buffer.capacity < count else { continue }
            buffer.release()
            guard let fresh = TensorPool.buffer(count, from: buffer.pool) else {
                throw RestoreError(.outOfMemory, "cannot allocate \(count / 262_144) MiB of convolution scratch")
            }
            (buffer.pointer, buffer.capacity) = fresh
            if slot == .products { buffer.pointer!.initialize(repeating: 0, count: buffer.capacity) }
        }
    }

    /// `worker`'s `slot` (reserved before; contents undefined).
    func pointer(_ slot: Slot, worker: Int) -> UnsafeMutablePointer<Float> {
        buffers[worker * Slot.allCases.count + slot.rawValue].pointer!
    }
}
