#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock (for durations; unrelated to wall time).
public func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
