import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

// rkbench nn forward --model PATH --input FILE --shape C,H,W --in BLOB --out BLOB
//                    [--threads N] [--repeat R] [--save FILE]
//
// Runs an ncnn network (PATH.param / PATH.bin) on a raw float32 CHW input and
// prints one line: `ms=… gflops=… conv_gflops=… peak_mib=…` (best of R runs;
// GFLOP/s count convolutions as direct ones). --save writes the output as raw
// float32 CHW, for comparison with the ncnn reference.
func nnBenchmark(_ arguments: [String]) throws {
    var rest = arguments[...]
    guard let mode = rest.popFirst() else { throw RestoreError(.invalidArgument, "rkbench nn: forward") }
    var options: [String: String] = [:]
    while let key = rest.popFirst() {
        guard key.hasPrefix("--"), let value = rest.popFirst() else {
            throw RestoreError(.invalidArgument, "rkbench nn: expected --option value, got '\(key)'")
        }
        options[String(key.dropFirst(2))] = value
    }
    func option(_ name: String) throws -> String {
        guard let value = options[name] else { throw RestoreError(.invalidArgument, "rkbench nn \(mode): --\(name) is required") }
        return value
    }
    switch mode {
    case "forward":
        let network = try Network(path: try option("model"))
        let shape = try option("shape").split(separator: ",").compactMap { Int($0) }
        guard shape.count == 3 else { throw RestoreError(.invalidArgument, "--shape is C,H,W") }
        let raw = try FileIO.read(try option("input"))
        guard raw.count == shape[0] * shape[1] * shape[2] * 4 else {
            throw RestoreError(.invalidArgument, "input holds \(raw.count) bytes, not \(shape[0] * shape[1] * shape[2] * 4)")
        }
        let planes = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let input = try planes.withUnsafeBufferPointer {
            try Tensor(planar: $0, height: shape[1], width: shape[2], channels: shape[0])
        }
        let threads = Int(options["threads"] ?? "") ?? ProcessorInfo.coreCount
        let repeats = Int(options["repeat"] ?? "") ?? 1
        var best = Double.infinity, bestCPU = Double.infinity, output: Tensor?, statistics = NetworkStatistics()
        for _ in 0 ..< repeats {
            let run = NetworkStatistics()
            let start = now(), startCPU = cpuSeconds()
            output = try network.forward([try option("in"): input], output: try option("out"), threads: threads,
                                         statistics: run)
            let seconds = now() - start
            bestCPU = min(bestCPU, cpuSeconds() - startCPU)
            if seconds < best { (best, statistics) = (seconds, run) }
        }
        let flops = 2 * statistics.multiplyAdds
        print("ms=\(fixed(best * 1000, 1)) cpu_ms=\(fixed(bestCPU * 1000, 1)) gflops=\(fixed(flops / best / 1e9, 1)) "
              + "conv_gflops=\(fixed(flops / statistics.seconds / 1e9, 1)) peak_mib=\(peakMemoryMiB()) "
              + "blas=\(BLAS.coreName) threads=\(threads)")
        if let path = options["save"], let output {
            let values = output.planar()
            try FileIO.writeAtomically(values.withUnsafeBytes { Array($0) }, to: path)
            print("output \(output.channels),\(output.height),\(output.width)")
        }
    default:
        throw RestoreError(.invalidArgument, "rkbench nn: unknown mode '\(mode)'")
    }
}

/// CPU seconds used by the process so far (all threads).
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The process's peak resident memory (VmHWM), in MiB.
func peakMemoryMiB() -> Int {
    guard let text = try? FileIO.read("/proc/self/status") else { return 0 }
    for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
    return 0
}
