// Small system helpers of the CLI: folders, clocks, threads, and the cores a run may use.

import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Creates `path` and its missing parents.
func makeFolders<S: StringProtocol>(_ path: S) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        prefix += part + "/"
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw RestoreError(.io, "cannot create folder '\(prefix)': \(String(cString: strerror(errno)))")
        }
    }
    var status = stat()
    guard stat(String(path), &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
        throw RestoreError(.io, "'\(path)' is not a folder")
    }
}

/// Seconds since 1970.
func wallSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// "m:ss" (or "s.t s" with `tenths`).
func clock(_ seconds: Double, tenths: Bool = false) -> String {
    if tenths && seconds < 60 { return String(Double(Int((seconds * 10).rounded())) / 10) + " s" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600):" + (s / 60 % 60 < 10 ? "0" : "") + "\(s / 60 % 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
                     : "\(s / 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
}

/// Runs `body(i)` on `count` threads and waits for all of them.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Box: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
    }
    if count <= 1 { body(0); return }
    var threads: [pthread_t] = []
    for i in 0 ..< count {
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
        let rc = pthread_create(&thread, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body(box.index)
            return nil
        }, box)
        pthread_attr_destroy(&attributes)
        if rc == 0 {
            threads.append(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).release()
            body(i)
        }
    }
    for thread in threads { pthread_join(thread, nil) }
}

extension ProcessorInfo {
    /// The cores this process may run on, at least 1: its CPU affinity, and
    /// inside a Slurm job the CPUs allocated to the task.
    static var usableCores: Int {
        for name in ["SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE"] {
            if let value = getenv(name).flatMap({ Int(String(cString: $0)) }), value > 0 {
                return min(value, affinityCores)
            }
        }
        return affinityCores
    }

    private static var affinityCores: Int {
        // Cpus_allowed: the affinity mask in hexadecimal, in groups of 8 digits.
        if let text = try? FileIO.read("/proc/self/status"),
           let line = String(decoding: text, as: UTF8.self).split(separator: "\n")
               .first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let n = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, c in
                count + (c.hexDigitValue.map { $0.nonzeroBitCount } ?? 0)
            }
            if n > 0 { return min(n, coreCount) }
        }
        return coreCount
    }
}
