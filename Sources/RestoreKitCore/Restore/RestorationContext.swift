#if canImport(Glibc)
import Glibc
#endif

/// What a progress handler tells the running restoration.
public enum ProgressDecision: Sendable {
    case proceed
    case cancel
}

/// Receives the overall fraction done (0…1) and the current stage's name.
/// Called on the thread that started the restoration, never concurrently.
public typealias ProgressHandler = (_ fraction: Double, _ stage: String) -> ProgressDecision

/// What restorers see of the running restoration: how many threads to use, and
/// where to report progress and learn of cancellation.
///
/// Restorers call `report(_:)` (or `checkCancelled()`) at least every ~0.1 s of
/// work; either throws `RestoreError(.cancelled, …)` once cancellation is
/// requested, so a cancel takes effect promptly. Safe to call from any thread:
/// only calls on the starting thread reach the handler.
public struct RestorationContext: Sendable {
    /// Threads a restorer may use (at least 1).
    public let threads: Int
    let monitor: ProgressMonitor
    /// The part of the overall progress this context covers, and its stage name.
    let range: (lower: Double, upper: Double)
    let stage: String

    /// A context whose progress goes to `handler` (nil: none). `threads` 0 means
    /// one per core.
    public init(threads: Int = 0, progress handler: ProgressHandler? = nil) {
        self.threads = threads > 0 ? threads : ProcessorInfo.coreCount
        self.monitor = ProgressMonitor(handler: handler)
        self.range = (0, 1)
        self.stage = ""
    }

    private init(_ parent: RestorationContext, range: (Double, Double), stage: String) {
        threads = parent.threads
        monitor = parent.monitor
        self.range = range
        self.stage = stage
    }

    /// A context for the part `lower…upper` (fractions of this one) of the work,
    /// reporting under `stage`.
    public func scoped(_ lower: Double, _ upper: Double, stage: String? = nil) -> RestorationContext {
        let span = range.upper - range.lower
        return RestorationContext(self, range: (range.lower + span * lower, range.lower + span * upper),
                                  stage: stage ?? self.stage)
    }

    /// Reports that `fraction` (0…1) of this context's work is done. Throws once
    /// cancellation was requested.
    public func report(_ fraction: Double) throws {
        let f = min(1, max(0, fraction))
        try monitor.report(range.lower + (range.upper - range.lower) * f, stage: stage, force: false)
    }

    /// Reports a milestone (e.g. a finished tile): always reaches the handler
    /// when called on the starting thread.
    public func milestone(_ fraction: Double) throws {
        let f = min(1, max(0, fraction))
        try monitor.report(range.lower + (range.upper - range.lower) * f, stage: stage, force: true)
    }

    /// Throws `RestoreError(.cancelled, …)` if cancellation was requested.
    public func checkCancelled() throws {
        try monitor.checkCancelled()
    }

    /// Requests cancellation; safe from any thread.
    public func cancel() {
        monitor.cancel()
    }
}

/// Shared state behind the contexts of one restoration.
final class ProgressMonitor: @unchecked Sendable {
    private let handler: ProgressHandler?
    private let owner = pthread_self()
    private let lock = Lock()
    private var cancelled = false
    private var lastCall = -1.0

    /// The least time between two non-milestone handler calls.
    private static let interval = 0.1

    init(handler: ProgressHandler?) {
        self.handler = handler
    }

    func report(_ fraction: Double, stage: String, force: Bool) throws {
        try checkCancelled()
        guard let handler, pthread_equal(pthread_self(), owner) != 0 else { return }
        let now = monotonicSeconds()
        guard force || now - lastCall >= Self.interval else { return }
        lastCall = now
        if handler(fraction, stage) == .cancel { cancel() }
        try checkCancelled()
    }

    func checkCancelled() throws {
        if lock.withLock({ cancelled }) {
            throw RestoreError(.cancelled, "restoration was cancelled")
        }
    }

    func cancel() {
        lock.withLock { cancelled = true }
    }
}
