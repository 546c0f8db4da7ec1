// rkbench NAME [ARGS…]: runs one benchmark and prints a Markdown report section.
// scripts/bench runs them all (with the reference implementations) for `make bench`.
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

let benchmarks: [String: ([String]) throws -> Void] = [
    "analyze": analyzeBenchmark,
    "deblur": deblurBenchmark,
    "degrade": degradeBenchmark,
    "dejpeg": dejpegBenchmark,
    "demo": demoBenchmark,
    "denoise": denoiseBenchmark,
    "nn": nnBenchmark,
    "realnoise": realNoiseBenchmark,
    "sd": sdBenchmark,
    "srmd-quality": srmdQualityBenchmark,
    "upsample": upsampleBenchmark,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let run = benchmarks[name] else {
    print("usage: rkbench NAME [ARGS…]; benchmarks: \(benchmarks.keys.sorted().joined(separator: ", "))")
    exit(2)
}
do {
    try run(Array(arguments.dropFirst()))
} catch {
    print("rkbench \(name): \(error)")
    exit(1)
}
