import RestoreKitCore

/// `rkbench degrade [IMAGE]`: speed of degradation synthesis on a 1-megapixel
/// photo (IMAGE, default the CC0 sample, enlarged to 1224 × 816): blur σ 3 →
/// Gaussian noise σ 0.05 → JPEG quality 40, each stage and all three, then the
/// Real-ESRGAN pipeline; median of 7 runs, in megapixels per second.
func degradeBenchmark(_ arguments: [String]) throws {
    let path = arguments.first ?? "docs/samples/chelsea.png"
    let image = try ImageFile.read(path).image.resized(width: 1224, height: 816, filter: .bicubic)
    let megapixels = Double(image.planeCount) / 1e6
    let runs = 7
    let kernel = try BlurKernel(.gaussian(sigma: 3))
    let steps: [DegradationStep] = [.blur(.gaussian(sigma: 3), size: kernel.size),
                                    .gaussianNoise(sigma: 0.05, gray: false, seed: 1),
                                    .jpeg(quality: 40)]
    var rows: [(String, Double)] = []
    for step in steps {
        let name: String
        switch step {
        case .blur: name = "blur σ 3 (\(kernel.size) × \(kernel.size) Gaussian, separable)"
        case .gaussianNoise: name = "Gaussian noise σ 0.05"
        default: name = "JPEG quality 40 round trip (4:2:0)"
        }
        rows.append((name, median(try timeRuns(runs) { _ = try step.apply(to: image) })))
    }
    rows.append(("**blur → noise → JPEG**", median(try timeRuns(runs) { _ = try DegradationStep.apply(steps, to: image) })))
    var seed: UInt64 = 0
    rows.append(("Real-ESRGAN second-order pipeline (seeds 0–\(runs - 1))", median(try timeRuns(runs) {
        _ = try RealESRGANPipeline.degrade(image, seed: seed)
        seed += 1
    })))

    print("## Degradation synthesis\n")
    print("\(image.width) × \(image.height) RGB (\(fixed(megapixels, 2)) MP, `\(path)` enlarged bicubically); "
        + "median of \(runs) runs on \(ProcessorInfo.coreCount) threads.\n")
    print("| stage | ms | MP/s |")
    print("|---|---:|---:|")
    for (name, seconds) in rows {
        print("| \(name) | \(fixed(seconds * 1000, 1)) | \(fixed(megapixels / seconds, 1)) |")
    }
    print()
}
