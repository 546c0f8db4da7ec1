/// Rows processed in bands on the context's threads, with progress reported
/// after every band, so a cancel takes effect within one band's work however
/// large the window.
enum RowBands {
    /// Rows per band: enough to amortise per-band set-up, few enough that a
    /// band of even a very wide window takes well under 0.1 s.
    static let rowsPerBand = 8

    /// Runs `body` on bands of `0..<rows` on `context.threads` threads,
    /// reporting progress from `from` to `to` (fractions of the context's work)
    /// as bands finish. Once cancelled, bands not yet started are skipped and
    /// the cancellation is thrown.
    static func run(_ rows: Int, context: RestorationContext, from: Double, to: Double,
                    _ body: (Range<Int>) -> Void) throws {
        let bands = (rows + rowsPerBand - 1) / rowsPerBand
        let lock = Lock()
        var done = 0, stopped = false
        parallelFor(bands, threads: context.threads) { band in
            guard !lock.withLock({ stopped }) else { return }
            body(band * rowsPerBand ..< min(rows, (band + 1) * rowsPerBand))
            let fraction = lock.withLock { () -> Double in
                done += 1
                return Double(done) / Double(bands)
            }
            do {
                try context.report(from + (to - from) * fraction)
            } catch {
                lock.withLock { stopped = true }
            }
        }
        try context.checkCancelled()
    }
}
