import RestoreKitCore

/// `rkbench demo [IMAGE]`: the whole demo prompt ("Deblur with sigma 1.5,
/// Denoise with sigma 0.04, Dejpeg with quality 40") on a 1-megapixel photo
/// (IMAGE, default the CC0 sample enlarged to 1224 × 816 with Lanczos),
/// damaged exactly as stated, restored with each backend the engine offers on
/// 2 threads: seconds (median of 3) and PSNR/SSIM. Target: ≤ 10 s on 2 cores.
func demoBenchmark(_ arguments: [String]) throws {
    let path = arguments.first ?? "docs/samples/chelsea.png"
    let clean = try ImageFile.read(path).image.resized(width: 1224, height: 816, filter: .lanczos)
    let text = "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40"
    let degraded = try PromptDegradation.apply(try RestorationPrompt.parse(text), to: clean, seed: 1).image
    let fields = try PromptFields(restoration: text)
    let engine = RestorationEngine()
    let models = ["classic"] + engine.backends.map(\.name).filter { $0 != "classic" }

    print("## Demo prompt on 1 megapixel\n")
    print("\"\(text)\" on \(clean.width) × \(clean.height) (`\(path)` enlarged), damaged exactly as stated "
        + "(seed 1); 2 threads, median of 3 runs. Target: ≤ 10 s.\n")
    print("| path | restorers | seconds | PSNR dB | SSIM |")
    print("|---|---|---:|---:|---:|")
    print("| degraded | | | \(fixed(try PSNR.measure(degraded, reference: clean), 2)) | "
        + "\(fixed(try SSIM.measure(degraded, reference: clean), 4)) |")
    for model in models {
        let options = RestorationOptions(model: model, threads: 2)
        var result: Restoration?
        let seconds = median(try timeRuns(3) {
            result = try engine.restore(degraded, fields: fields, options: options)
        })
        let restored = result!
        print("| \(model) | \(restored.plan.stages.map(\.label).joined(separator: ", ")) | \(fixed(seconds, 2)) | "
            + "\(fixed(try PSNR.measure(restored.image, reference: clean), 2)) | "
            + "\(fixed(try SSIM.measure(restored.image, reference: clean), 4)) |")
    }
}
