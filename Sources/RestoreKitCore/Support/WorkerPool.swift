#if canImport(Glibc)
import Glibc
#endif

/// Threads kept between `parallelFor` calls, so that a call wakes threads
/// instead of creating them (a diffusion model makes thousands of calls). One
/// call at a time has them; a call made meanwhile (from another host thread,
/// or nested in a worker) starts threads of its own.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when a job is posted, and when a job's last helper finishes.
    private let posted = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var threads = 0
    private var busy = false
    private var job: ParallelState?
    /// Counts posted jobs, so a helper joins each at most once.
    private var generation = 0
    /// Helpers the current job still takes, and helpers inside it.
    private var openSlots = 0
    private var running = 0

    private init() {
        initialize()
        // A forked child has none of the parent's threads, and a mutex that may be held.
        pthread_atfork(nil, nil) { WorkerPool.shared.initialize() }
    }

    private func initialize() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(posted, nil)
        pthread_cond_init(finished, nil)
        threads = 0
        busy = false
        job = nil
        openSlots = 0
        running = 0
    }

    /// Runs `state` on the calling thread and up to `helpers` pool threads, or
    /// returns false at once when the pool is busy.
    func run(_ state: ParallelState, helpers: Int) -> Bool {
        pthread_mutex_lock(mutex)
        guard !busy else {
            pthread_mutex_unlock(mutex)
            return false
        }
        busy = true
        while threads < helpers, startThread() { threads += 1 }
        job = state
        generation &+= 1
        openSlots = min(helpers, threads)
        pthread_cond_broadcast(posted)
        pthread_mutex_unlock(mutex)

        state.drain()

        pthread_mutex_lock(mutex)
        openSlots = 0
        while running > 0 { pthread_cond_wait(finished, mutex) }
        job = nil
        busy = false
        pthread_mutex_unlock(mutex)
        return true
    }

    private func startThread() -> Bool {
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { _ in WorkerPool.shared.serve() }, nil) == 0 else { return false }
        pthread_detach(thread)
        return true
    }

    /// A pool thread: joins each posted job that still takes helpers.
    private func serve() -> Never {
        var joined = 0
        pthread_mutex_lock(mutex)
        while true {
            guard let job, openSlots > 0, generation != joined else {
                pthread_cond_wait(posted, mutex)
                continue
            }
            joined = generation
            openSlots -= 1
            running += 1
            pthread_mutex_unlock(mutex)
            job.drain()
            pthread_mutex_lock(mutex)
            running -= 1
            if running == 0 { pthread_cond_signal(finished) }
        }
    }
}
