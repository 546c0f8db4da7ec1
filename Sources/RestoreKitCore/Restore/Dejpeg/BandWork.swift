/// Independent pieces of work (bands of rows) spread over the context's
/// threads, with progress after each piece and a prompt stop on cancel.
enum BandWork {
    /// Runs `body(i)` for i in 0..<count on `context.threads` threads. Reports
    /// the fraction of pieces done after each one; once the context is
    /// cancelled, pieces not yet started are skipped and the cancellation is
    /// thrown.
    static func run(_ count: Int, context: RestorationContext, _ body: (Int) -> Void) throws {
        let lock = Lock()
        var done = 0, stopped = false
        parallelFor(count, threads: context.threads) { i in
            guard !lock.withLock({ stopped }) else { return }
            body(i)
            let fraction = lock.withLock { () -> Double in
                done += 1
                return Double(done) / Double(count)
            }
            do {
                try context.report(fraction)
            } catch {
                lock.withLock { stopped = true }
            }
        }
        try context.checkCancelled()
    }
}
