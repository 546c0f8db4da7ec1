import COpenBLAS
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

// rkbench nn MODE … — the CNN engine's part of `make bench` (driven by bench/nn.sh,
// which runs the ncnn and PyTorch references in the same run):
//
//   forward --model PATH --input FILE --shape C,H,W --in BLOB --out BLOB [--threads N] [--repeat R] [--save FILE]
//           [--layers 1]
//       runs an ncnn network (PATH.param/.bin) on a raw float32 CHW input; prints one line
//       `ms=… cpu_ms=… gflop=… gflops=… conv_gflops=… peak_mib=… blas=… threads=…` (best of R; FLOPs
//       count every convolution as a direct one: 2 · outputs · inputs · taps per pixel); `--layers 1`
//       first prints `layer=NAME type=TYPE ms=… gflops=…` for each layer (its best time over the R runs).
//   sgemm [--threads N]
//       the 1024³ sgemm rate of OpenBLAS with N threads of its own (best of 5): the ceiling.
//   blur [--sets Set5] [--sigma 1.2] [--threads N]
//       SRMDNF ×2 on images blurred with a Gaussian of σ then halved: the blur's kernel code
//       against the delta code, next to the classic path (see `blurCodeQuality`).
func nnBenchmark(_ arguments: [String]) throws {
    var rest = arguments[...]
    guard let mode = rest.popFirst() else {
        throw RestoreError(.invalidArgument, "rkbench nn: forward | sgemm | blur")
    }
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
    let threads = Int(options["threads"] ?? "") ?? ProcessorInfo.coreCount
    switch mode {
    case "forward":
        try forward(model: try option("model"), input: try option("input"), shape: try option("shape"),
                    inBlob: try option("in"), outBlob: try option("out"), threads: threads,
                    repeats: Int(options["repeat"] ?? "") ?? 1, save: options["save"], layers: options["layers"] == "1")
    case "sgemm":
        sgemmRate(threads: threads)
    case "blur":
        try blurCodeQuality(sets: (options["sets"] ?? "Set5").split(separator: ",").map(String.init),
                            sigma: Double(options["sigma"] ?? "") ?? 1.2, threads: threads)
    default:
        throw RestoreError(.invalidArgument, "rkbench nn: unknown mode '\(mode)'")
    }
}

private func forward(model: String, input path: String, shape text: String, inBlob: String, outBlob: String,
                     threads: Int, repeats: Int, save: String?, layers: Bool) throws {
    let network = try Network(path: model)
    let shape = text.split(separator: ",").compactMap { Int($0) }
    guard shape.count == 3 else { throw RestoreError(.invalidArgument, "--shape is C,H,W") }
    let raw = try FileIO.read(path)
    guard raw.count == shape[0] * shape[1] * shape[2] * 4 else {
        throw RestoreError(.invalidArgument, "input holds \(raw.count) bytes, not \(shape[0] * shape[1] * shape[2] * 4)")
    }
    let planes = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    let input = try planes.withUnsafeBufferPointer {
        try Tensor(planar: $0, height: shape[1], width: shape[2], channels: shape[0])
    }
    var best = Double.infinity, bestCPU = Double.infinity, output: Tensor?, statistics = NetworkStatistics()
    var layerBest: [Double] = []
    for _ in 0 ..< max(1, repeats) {
        let run = NetworkStatistics()
        let start = now(), startCPU = processSeconds()
        output = try network.forward([inBlob: input], output: outBlob, threads: threads, statistics: run)
        let seconds = now() - start
        bestCPU = min(bestCPU, processSeconds() - startCPU)
        if seconds < best { (best, statistics) = (seconds, run) }
        layerBest = zip(run.layers, layerBest + [Double](repeating: .infinity, count: run.layers.count))
            .map { min($0.seconds, $1) }
    }
    if layers {
        for (run, seconds) in zip(statistics.layers, layerBest) {
            let rate = run.multiplyAdds > 0 ? " gflops=\(fixed(2 * run.multiplyAdds / seconds / 1e9, 1))" : ""
            print("layer=\(run.name) type=\(run.type) ms=\(fixed(seconds * 1000, 2))" + rate)
        }
    }
    let flops = 2 * statistics.multiplyAdds
    print("ms=\(fixed(best * 1000, 1)) cpu_ms=\(fixed(bestCPU * 1000, 1)) gflop=\(fixed(flops / 1e9, 2)) "
          + "gflops=\(fixed(flops / best / 1e9, 1)) conv_gflops=\(fixed(flops / statistics.seconds / 1e9, 1)) "
          + "peak_mib=\(peakResidentMiB()) blas=\(BLAS.coreName) threads=\(threads)")
    if let save, let output {
        try FileIO.writeAtomically(output.planar().withUnsafeBytes { Array($0) }, to: save)
    }
}

/// OpenBLAS's own rate on a 1024³ product with `threads` threads (the engine
/// itself runs OpenBLAS single-threaded on blocks it spreads over its threads).
private func sgemmRate(threads: Int) {
    let n = 1024
    var a = [Float](repeating: 0, count: n * n), b = a, c = a
    var generator = SeededGenerator(seed: 1)
    for i in 0 ..< n * n {
        a[i] = Float.random(in: -1 ... 1, using: &generator)
        b[i] = Float.random(in: -1 ... 1, using: &generator)
    }
    openblas_set_num_threads(Int32(threads))
    var best = Double.infinity
    for _ in 0 ..< 6 {
        let start = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n),
                    0, &c, Int32(n))
        best = min(best, now() - start)
    }
    BLAS.useCallingThreadOnly()
    print("sgemm_gflops=\(fixed(2 * Double(n * n * n) / best / 1e9, 1)) blas=\(BLAS.coreName) threads=\(threads)")
}

// SRMD with a stated blur: the ground truth cropped to even sides, damaged exactly as
// "Deblur with sigma σ, Upsample to 2" states (PromptDegradation: Gaussian σ, antialiased
// bicubic halving) and rounded to 8 bits; restored by SRMDNF ×2 fed the code of that
// Gaussian (the prompt as stated), by SRMDNF ×2 fed the delta code ("Upsample to 2": the
// blur ignored, as the reference tool always does), and by the classic path (the stated
// prompt, model classic); scored on BT.601 Y, 2 border pixels cropped, results rounded to 8 bits.

private func blurCodeQuality(sets: [String], sigma: Double, threads: Int) throws {
    let engine = RestorationEngine(modelsDirectory: nil)
    let stated = try RestorationRequest(restoration: "Deblur with sigma \(sigma), Upsample to 2")
    let runs = [("delta code", try RestorationRequest(restoration: "Upsample to 2"), "srmd"),
                ("σ \(sigma) code", stated, "srmd"), ("classic", stated, "classic")]
    print("| set | image | " + runs.map { $0.0 }.joined(separator: " | ") + " | gain of the kernel code |")
    print("|---|---|" + String(repeating: "---|", count: runs.count + 1))
    for set in sets {
        var columns = [[Double]](repeating: [], count: runs.count)
        for path in try imagePaths("testsets/" + set) {
            let image = try ImageFile.read(path).image.colorOnly
            let truth = eightBit(image.cropped(to: Rect(width: image.width & ~1, height: image.height & ~1)))
            let low = eightBit(try PromptDegradation.apply(try stated.prompts.restorationPrompt(), to: truth).image)
            for (k, run) in runs.enumerated() {
                var request = run.1
                request.model = run.2
                request.threads = threads
                let restored = try engine.restore(low, request: request)
                guard restored.plan.stages.allSatisfy({ $0.backend == run.2 }) else {
                    throw RestoreError(.model, "SRMD is not installed; run '\(ModelCatalog.fetchCommand)'")
                }
                columns[k].append(try PSNR.measure(eightBit(restored.image), reference: truth, channels: .lumaY, crop: 2))
            }
            let name = String(path.split(separator: "/").last!.split(separator: ".").first!)
            let row = columns.map { $0.last! }
            print("| \(set) | \(name) | " + row.map { fixed($0, 2) }.joined(separator: " | ")
                  + " | \(fixed(row[1] - row[0], 2)) |")
        }
        let means = columns.map(mean)
        print("| \(set) | mean | " + means.map { fixed($0, 2) }.joined(separator: " | ")
              + " | **\(fixed(means[1] - means[0], 2))** |")
    }
}

/// Clipped to [0, 1] and rounded to 8-bit levels, as an image file holds it.
private func eightBit(_ image: Image) -> Image {
    var out = image
    for i in out.samples.indices { out.samples[i] = (min(max(out.samples[i], 0), 1) * 255).rounded() / 255 }
    return out
}

/// CPU seconds used by the process so far (all threads).
private func processSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The process's peak resident memory (VmHWM), in MiB.
private func peakResidentMiB() -> Int {
    guard let text = try? FileIO.read("/proc/self/status") else { return 0 }
    for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
    return 0
}
