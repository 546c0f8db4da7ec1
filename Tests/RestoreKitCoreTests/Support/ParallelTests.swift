#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore

@Suite struct ParallelTests {
    /// Runs `parallelFor(count)` and returns how often each index ran.
    static func visits(_ count: Int, threads: Int) -> [Int] {
        let lock = Lock()
        var seen = [Int](repeating: 0, count: count)
        parallelFor(count, threads: threads) { i in lock.withLock { seen[i] += 1 } }
        return seen
    }

    @Test func everyIndexRunsOnceOverManyCalls() {
        // Thousands of calls, as a diffusion model makes: the pool's threads are reused.
        for call in 0 ..< 2000 {
            let count = 1 + call % 7
            #expect(Self.visits(count, threads: 3) == [Int](repeating: 1, count: count))
        }
    }

    @Test func nestedCallsRunOnTheirOwnThreads() {
        let lock = Lock()
        var total = 0
        parallelFor(4, threads: 2) { _ in
            parallelFor(5, threads: 2) { j in lock.withLock { total += j } }
        }
        #expect(total == 4 * 10)
    }

    @Test func callersOnSeveralThreadsAtOnce() {
        // Host threads (GEGL renders regions in parallel) each get every index once.
        let lock = Lock()
        var failures = 0
        parallelFor(4, threads: 4) { _ in
            for _ in 0 ..< 200 where Self.visits(9, threads: 2) != [Int](repeating: 1, count: 9) {
                lock.withLock { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    @Test func threadsAreKeptNotMultiplied() throws {
        for _ in 0 ..< 50 { _ = Self.visits(8, threads: 4) }
        let before = try Self.threadCount()
        for _ in 0 ..< 500 { _ = Self.visits(8, threads: 4) }
        // Other suites run meanwhile and start threads of their own, but far fewer than 500.
        #expect(try Self.threadCount() < before + 50)
    }

    /// Threads of this process, from /proc/self/status.
    static func threadCount() throws -> Int {
        let status = String(decoding: try FileIO.read("/proc/self/status"), as: UTF8.self)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }!
        return Int(String(line.filter(\.isNumber)))!
    }
}
