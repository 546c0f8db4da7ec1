// rkbench deblur: Gaussian deconvolution on CBSD68, classic and plug-and-play
// FFDNet, speed at 1 MP, tiles versus whole.
//
//   rkbench deblur [--limit N] [--threads N] [--out DIR] [--runs N] [--models DIR]
//
// Quality: for each setting (Gaussian blur σ 2.0 + noise 0.01, σ 1.0 + noise
// 0.005) and each of the first `limit` (20) CBSD68 images, the clean image is
// blurred with the sampled Gaussian (taps to ⌈4σ⌉, reflect-101 borders: the
// Degrade module's `convolved(with:)`), Gaussian noise from a fixed seed is
// added and clipped to [0, 1] (`addingGaussianNoise`), and the result is
// rounded to 8 bits, like a stored file. That degraded image is written as PNG
// (lossless at 8 bits) to DIR/<setting>/NAME.png so bench/anchors/deblur_anchors.py
// deconvolves exactly the same input. It is restored with the true σ and noise
// by each backend that deblurs: the classic one (`GaussianDeconvolution`) and,
// when the FFDNet model is installed (in DIR of --models, else the default
// folder), the ffdnet one (`PlugAndPlayDeblurrer`), both as the backends hand
// them out for "Deblur with sigma S" with noise N. PSNR (RGB, data range 1) of
// degraded and restored against the clean image goes to
// DIR/<setting>/rkbench.tsv and the Markdown table, with each learned
// restorer's gain over the classic one in the same run (mean and worst image).
//
// Speed: a 1000 × 1000 RGB image (a CBSD68 photo mirrored to that size,
// blurred with σ 1.5, light noise: a denoised photo's remains) deconvolved at
// σ 1.5 with noise 0.04 stated, median of `runs` runs.
//
// FFT: the real 2-D transform's speed at 1024² and 1080² (the frame of a
// 1000 × 1000 image), one thread.
//
// Tiles: one image per setting restored by each restorer in 128- and 256-pixel
// tiles with its halo, against its whole-image restore.
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

func deblurBenchmark(_ arguments: [String]) throws {
    var limit = 20, threads = 0, runs = 3
    var out = "bench/out/deblur"
    var modelsDirectory: String?
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--limit": limit = Int(value) ?? limit
        case "--threads": threads = Int(value) ?? threads
        case "--runs": runs = Int(value) ?? runs
        case "--out": out = value
        case "--models": modelsDirectory = value
        default: throw RestoreError(.invalidArgument, "rkbench deblur: unknown option '\(arguments[i])'")
        }
        i += 2
    }
    let paths = Array(try imagePaths("testsets/CBSD68").prefix(limit))
    guard !paths.isEmpty else { throw RestoreError(.io, "no CBSD68 images found") }
    let context = RestorationContext(threads: threads)
    let backends = deblurBackends(modelsDirectory: modelsDirectory)

    print("## Deblurring: RestoreKit Gaussian deconvolution on CBSD68 (first \(paths.count) images)\n")
    print("Blur: sampled Gaussian (taps to ⌈4σ⌉, reflect-101 borders); then Gaussian noise (seeded),")
    print("clipped to [0, 1] and rounded to 8 bits. Restored with the true σ and noise by each backend that")
    print("deblurs; gains over classic are per image, in the same run. PSNR over RGB, data range 1. Threads: \(context.threads).\n")
    print("| blur σ | noise σ | backend (restorer) | degraded PSNR dB | restored PSNR dB | gain dB | worst gain dB "
        + "| gain over classic dB | worst gain over classic dB | s / image |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    var firstImages: [(DeblurSetting, Image, Image)] = []
    for setting in DeblurSetting.all {
        let folder = out + "/" + setting.folder
        try makeFolders(folder)
        let restorers = try backends.compactMap { backend in
            try backend.restorer(for: .deblur(sigma: setting.sigma, noise: setting.noise),
                                 request: RestorationRequest(), channels: 3)
                .map { (backend: backend.name, restorer: $0) }
        }
        var before: [Double] = [], names: [String] = []
        var after = [[Double]](repeating: [], count: restorers.count)
        var times = [[Double]](repeating: [], count: restorers.count)
        for (index, path) in paths.enumerated() {
            let clean = try ImageFile.read(path).image.colorOnly
            let degraded = try setting.degrade(clean, seed: setting.seed + UInt64(index))
            names.append(fileStem(path))
            try ImageFile.write(degraded, to: folder + "/" + names.last! + ".png")
            before.append(try PSNR.measure(degraded, reference: clean))
            for (r, entry) in restorers.enumerated() {
                let start = now()
                let restored = try restoreWhole(degraded, with: entry.restorer, context: context)
                times[r].append(now() - start)
                after[r].append(try PSNR.measure(restored, reference: clean))
            }
            if index == 0 { firstImages.append((setting, clean, degraded)) }
        }
        var table = "name\tdegraded_psnr" + restorers.map { "\t\($0.backend)_psnr\t\($0.backend)_seconds" }.joined() + "\n"
        for (index, name) in names.enumerated() {
            table += "\(name)\t\(before[index])" + restorers.indices.map { "\t\(after[$0][index])\t\(times[$0][index])" }.joined() + "\n"
        }
        try FileIO.writeAtomically(Array(table.utf8), to: folder + "/rkbench.tsv")
        let classic = restorers.firstIndex { $0.backend == "classic" }
        for (r, entry) in restorers.enumerated() {
            let gains = zip(after[r], before).map { $0 - $1 }
            var overClassic = "| | "
            if let classic, classic != r {
                let differences = zip(after[r], after[classic]).map { $0 - $1 }
                overClassic = "| \(signed(mean(differences))) | \(signed(differences.min()!)) "
            }
            print("| \(fixed(setting.sigma, 1)) | \(fixed(setting.noise, 3)) | \(entry.backend) (\(entry.restorer.name)) "
                + "| \(fixed(mean(before), 2)) | \(fixed(mean(after[r]), 2)) | \(signed(mean(gains))) "
                + "| \(signed(gains.min()!)) \(overClassic)| \(fixed(mean(times[r]), 3)) |")
        }
    }
    print()

    try speed(paths[0], runs: runs, context: context)
    try fftSpeed(runs: runs)
    try tiles(firstImages, backends: backends, context: context)
}

/// The backends that may deblur: the learned ones installed (from
/// `modelsDirectory`, else the default folder), then the classic floor.
private func deblurBackends(modelsDirectory: String?) -> [any RestorationBackend] {
    let engine = RestorationEngine(modelsDirectory: modelsDirectory)
    return engine.backends.filter { $0.name == "classic" } + engine.backends.filter { $0.name != "classic" }
}

/// `image` restored whole by `restorer`, as one tile.
private func restoreWhole(_ image: Image, with restorer: any Restorer, context: RestorationContext) throws -> Image {
    let all = Rect(x: 0, y: 0, width: image.width, height: image.height)
    return try restorer.restore(image, at: all, producing: all, inputWidth: image.width, inputHeight: image.height,
                                context: context)
}

/// `value` with two decimals and its sign, e.g. "+0.42" or "-1.30".
private func signed(_ value: Double) -> String {
    (value >= 0 ? "+" : "") + fixed(value, 2)
}

/// One benchmark degradation.
private struct DeblurSetting {
    let sigma: Double
    let noise: Double
    let seed: UInt64

    static let all = [DeblurSetting(sigma: 2.0, noise: 0.01, seed: 2000),
                      DeblurSetting(sigma: 1.0, noise: 0.005, seed: 1000)]

    /// The output folder's name, e.g. "sigma2.0_noise0.010".
    var folder: String { "sigma\(fixed(sigma, 1))_noise\(fixed(noise, 3))" }

    /// Blur, seeded noise (clipped), 8-bit rounding.
    func degrade(_ clean: Image, seed: UInt64) throws -> Image {
        let blurred = clean.convolved(with: try BlurKernel(.gaussian(sigma: sigma)))
        let noisy = try blurred.addingGaussianNoise(sigma: noise, seed: seed)
        return try noisy.interleaved8().withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: noisy.width, height: noisy.height, layout: noisy.layout)
        }
    }
}

/// Seconds per 1-megapixel RGB image at σ 1.5, noise 0.04 stated.
private func speed(_ path: String, runs: Int, context: RestorationContext) throws {
    let photo = try ImageFile.read(path).image.colorOnly
    let (w, h) = (1000, 1000)
    var large = try Image(width: w, height: h, layout: .rgb)
    for c in 0 ..< 3 {
        for y in 0 ..< h {
            for x in 0 ..< w { large[x, y, c] = photo[mirror(x, photo.width), mirror(y, photo.height), c] }
        }
    }
    let input = try large.convolved(with: BlurKernel(.gaussian(sigma: 1.5))).addingGaussianNoise(sigma: 0.005, seed: 5)
    let restorer = GaussianDeconvolution(sigma: 1.5, noise: 0.04)
    _ = try restorer.restore(tile: input, origin: (0, 0), context: context)   // plans and tables
    let cpuBefore = processorSeconds()
    let seconds = try timeRuns(runs) { _ = try restorer.restore(tile: input, origin: (0, 0), context: context) }
    let cpu = (processorSeconds() - cpuBefore) / Double(runs)
    print("### Speed\n")
    print("1000 × 1000 RGB, σ 1.5, noise 0.04 stated, \(context.threads) threads: "
        + "\(fixed(median(seconds), 2)) s wall (median of \(runs); runs \(seconds.map { fixed($0, 2) }.joined(separator: ", "))); "
        + "\(fixed(cpu, 2)) CPU seconds per run, all threads together (what the work costs when other "
        + "processes compete for the cores).\n")
}

/// Milliseconds per real 2-D FFT (forward, inverse) on one thread, for the
/// frame sizes a 1-megapixel deconvolution uses and a power of two.
private func fftSpeed(runs: Int) throws {
    print("FFT.RealPlan2D, 1 thread, median of \(max(runs, 5)):\n")
    print("| size | forward ms | inverse ms |")
    print("|---|---|---|")
    for side in [1024, 1080] {
        let plan = try FFT.RealPlan2D.shared(width: side, height: side)
        let plane = (0 ..< side * side).map { Float(($0 * 7919) % 1000) / 1000 }
        var spectrum = try plan.forward(plane)
        var back = plane
        let forward = try timeRuns(max(runs, 5)) { try plan.forward(plane, into: &spectrum) }
        let inverse = try timeRuns(max(runs, 5)) { try plan.inverse(spectrum, into: &back) }
        print("| \(side) × \(side) | \(fixed(median(forward) * 1000, 1)) | \(fixed(median(inverse) * 1000, 1)) |")
    }
    print()
}

/// User plus system CPU seconds this process has used so far.
private func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// Tiled restores (tile sides 128 and 256, each with the restorer's halo)
/// against the whole-image restore of the same input, for each backend's
/// deblurring restorer.
private func tiles(_ cases: [(DeblurSetting, Image, Image)], backends: [any RestorationBackend],
                   context: RestorationContext) throws {
    print("### Tiles versus whole image (first image)\n")
    print("| blur σ | backend | halo px | tile px | PSNR vs clean, whole / tiled dB | PSNR tiled vs whole dB | max abs difference |")
    print("|---|---|---|---|---|---|---|")
    for (setting, clean, degraded) in cases {
        for backend in backends {
            guard let restorer = try backend.restorer(for: .deblur(sigma: setting.sigma, noise: setting.noise),
                                                      request: RestorationRequest(), channels: 3)
            else { continue }
            let whole = try restoreWhole(degraded, with: restorer, context: context)
            let halo = (restorer as? any LocalRestorer).map { "\($0.halo)" } ?? "–"
            for side in [128, 256] {
                var tiled = degraded
                for ty in stride(from: 0, to: degraded.height, by: side) {
                    for tx in stride(from: 0, to: degraded.width, by: side) {
                        let output = Rect(x: tx, y: ty, width: min(side, degraded.width - tx),
                                          height: min(side, degraded.height - ty))
                        let input = restorer.inputRect(for: output, inputWidth: degraded.width, inputHeight: degraded.height)
                        let tile = try restorer.restore(degraded.cropped(to: input), at: input, producing: output,
                                                        inputWidth: degraded.width, inputHeight: degraded.height,
                                                        context: context)
                        tiled.paste(tile, x: tx, y: ty)
                    }
                }
                let difference = zip(tiled.samples, whole.samples).map { abs($0 - $1) }.max()!
                let quality = "\(fixed(try PSNR.measure(whole, reference: clean), 3)) / \(fixed(try PSNR.measure(tiled, reference: clean), 3))"
                print("| \(fixed(setting.sigma, 1)) | \(backend.name) | \(halo) | \(side) | \(quality) "
                    + "| \(fixed(try PSNR.measure(tiled, reference: whole), 1)) | \(fixed(Double(difference), 4)) |")
            }
        }
    }
    print()
}

/// Reflect-101 index of `i` into 0..<n.
private func mirror(_ i: Int, _ n: Int) -> Int {
    let period = 2 * (n - 1)
    let m = i % period
    return m < n ? m : period - m
}
