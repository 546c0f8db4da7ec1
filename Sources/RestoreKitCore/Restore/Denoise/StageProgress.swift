/// Progress and failure shared by the threads of one stage: counts finished
/// reference rows (a few milliseconds of work each) to report the fraction
/// done, and keeps the first error (cancellation) so the other threads stop
/// at their next check and the caller can rethrow it.
final class StageProgress: @unchecked Sendable {
    private let total: Int
    private let context: RestorationContext
    private let lock = Lock()
    private var done = 0
    private var error: (any Error)?

    init(total: Int, context: RestorationContext) {
        self.total = max(1, total)
        self.context = context
    }

    /// Whether some thread has failed.
    var failed: Bool { lock.withLock { error != nil } }

    /// Counts one finished reference row and reports; throws once cancelled.
    func advance() throws {
        let fraction = lock.withLock { () -> Double in
            done += 1
            return Double(done) / Double(total)
        }
        try context.report(fraction)
    }

    /// Reports the fraction done so far without advancing it (the handler hears
    /// of it at most every 0.1 s); throws once cancelled. For long stretches
    /// of work between finished rows, such as block matching.
    func poll() throws {
        let fraction = lock.withLock { Double(done) / Double(total) }
        try context.report(fraction)
    }

    /// Records `error` unless an earlier one was recorded.
    func fail(_ error: any Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }

    /// Throws the recorded error, if any.
    func rethrow() throws {
        if let error = lock.withLock({ self.error }) { throw error }
    }
}
