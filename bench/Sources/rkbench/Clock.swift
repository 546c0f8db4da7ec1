#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, for timing.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The median of `values` (which must not be empty).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Runs `body` `repeats` times and returns each run's seconds.
func timeRuns(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    try (0 ..< repeats).map { _ in
        let start = now()
        try body()
        return now() - start
    }
}
