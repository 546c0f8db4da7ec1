#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(i)` for every i in 0..<count on up to `threads` threads (the
/// calling thread included) and returns when all are done. Work is handed out
/// one index at a time, so uneven items balance. `threads <= 0` means one per core.
///
/// `body` must be safe to call concurrently for different indices.
public func parallelFor(_ count: Int, threads: Int = 0, _ body: (Int) -> Void) {
    let workers = min(count, threads > 0 ? threads : ProcessorInfo.coreCount)
    guard workers > 1 else {
        for i in 0 ..< count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let state = ParallelState(count: count, body: body)
        if WorkerPool.shared.run(state, helpers: workers - 1) { return }
        let box = Unmanaged.passRetained(state)
        var threadIDs: [pthread_t] = []
        for _ in 1 ..< workers {
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                Unmanaged<ParallelState>.fromOpaque(raw!).takeUnretainedValue().drain()
                return nil
            }, box.toOpaque())
            if started == 0 { threadIDs.append(thread) }
        }
        state.drain()
        for thread in threadIDs { pthread_join(thread, nil) }
        box.release()
    }
}

/// The shared counter of a `parallelFor` call.
final class ParallelState: @unchecked Sendable {
    let count: Int
    let body: (Int) -> Void
    private var next = 0
    private let lock = Lock()

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        self.body = body
    }

    func drain() {
        while true {
            let i = lock.withLock {
                defer { next += 1 }
                return next
            }
            if i >= count { return }
            body(i)
        }
    }
}

/// Facts about the machine.
public enum ProcessorInfo {
    /// Online cores, at least 1.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Memory available for new allocations, in bytes (MemAvailable), or nil.
    public static var availableMemory: Int? {
        guard let text = try? FileIO.read("/proc/meminfo") else { return nil }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("MemAvailable:") }),
              let kB = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kB * 1024
    }
}
