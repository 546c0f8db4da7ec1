/// Pieces of work spread over a restoration's threads, with shared progress
/// and a prompt stop on cancel.
///
/// Progress counts finished units (a piece, or finer steps within one) out of
/// a total and is reported into a sub-range of the context's work. The first
/// error a piece throws (in practice the cancellation that `report` throws)
/// is kept: pieces not yet started are then skipped, so a cancel takes effect
/// within one piece's work, and the error is rethrown once all threads are
/// done. How the work is cut into pieces is the caller's; results never
/// depend on the thread count.
final class ParallelWork: @unchecked Sendable {
    /// Rows per band of `rows(_:context:from:to:_:)`: enough to amortise
    /// per-band set-up, few enough that a band of even a very wide window takes
    /// well under 0.1 s.
    static let rowsPerBand = 8

    private let total: Int
    private let context: RestorationContext
    private let from: Double
    private let to: Double
    private let lock = Lock()
    private var done = 0
    private var error: (any Error)?

    /// Progress over `total` units of work (at least one is counted), reported
    /// from `from` to `to` (fractions of `context`'s work).
    init(units total: Int, context: RestorationContext, from: Double = 0, to: Double = 1) {
        self.total = max(1, total)
        self.context = context
        self.from = from
        self.to = to
    }

    /// Runs `body(i)` for i in 0..<`count` on `context.threads` threads, where
    /// `body` reports its own progress (`advance`, `poll`). Once a piece has
    /// thrown, pieces not yet started are skipped; then throws the first error,
    /// or the cancellation if one was requested meanwhile.
    func forEach(_ count: Int, _ body: (Int) throws -> Void) throws {
        parallelFor(count, threads: context.threads) { i in
            guard !failed else { return }
            do {
                try body(i)
            } catch {
                fail(error)
            }
        }
        if let error = lock.withLock({ self.error }) { throw error }
        try context.checkCancelled()
    }

    /// Whether some piece has thrown.
    var failed: Bool { lock.withLock { error != nil } }

    /// Counts one finished unit and reports; throws once cancelled.
    func advance() throws {
        let fraction = lock.withLock { () -> Double in
            done += 1
            return Double(done) / Double(total)
        }
        try context.report(from + (to - from) * fraction)
    }

    /// Reports the fraction done so far without advancing it (the handler hears
    /// of it at most every 0.1 s); throws once cancelled. For long stretches
    /// of work between finished units, such as block matching.
    func poll() throws {
        let fraction = lock.withLock { Double(done) / Double(total) }
        try context.report(from + (to - from) * fraction)
    }

    /// Records `error` unless an earlier one was recorded.
    private func fail(_ error: any Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }

    /// Runs `body(i)` for i in 0..<`count` on `context.threads` threads, each
    /// piece one unit of progress from `from` to `to`. Once cancelled, pieces
    /// not yet started are skipped and the cancellation is thrown.
    static func run(_ count: Int, context: RestorationContext, from: Double = 0, to: Double = 1,
                    _ body: (Int) -> Void) throws {
        let work = ParallelWork(units: count, context: context, from: from, to: to)
        try work.forEach(count) { i in
            body(i)
            try work.advance()
        }
    }

    /// Runs `body` on bands of `rowsPerBand` rows of `0..<rows` as in
    /// `run(_:context:from:to:_:)`, so a cancel takes effect within one band's
    /// work however large the window.
    static func rows(_ rows: Int, context: RestorationContext, from: Double, to: Double,
                     _ body: (Range<Int>) -> Void) throws {
        let bands = (rows + rowsPerBand - 1) / rowsPerBand
        try run(bands, context: context, from: from, to: to) { band in
            body(band * rowsPerBand ..< min(rows, (band + 1) * rowsPerBand))
        }
    }
}
