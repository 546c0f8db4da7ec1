// rkbench realnoise: real-camera noise (the camera pipeline) analysed and removed.
//
//   rkbench realnoise [--set testsets/CBSD68] [--limit N] [--slow N] [--threads N]
//
// Each image gets the camera pipeline's draw of seed 7000 + its index (shot and
// read noise through demosaicing, colour matrix and tone curve, optional
// sharpening and JPEG: `restorekit degrade --pipeline camera`). Restorations,
// RGB PSNR / SSIM against the original, means:
//   (a) the analysed prompt (empty restoration prompt, the installed models);
//   (b) the true prompt: the draw's noise profile (σ by tone, grain) and JPEG quality;
//   (c) FFDNet at the single best σ per image, searched over the true σ × 0.75 … 3
//       (one σ everywhere, no grain handling; with the true JPEG quality);
//   (d) BM3D at the true σ (classic; with the true JPEG quality), first `slow` images;
//   (e) Real-ESRGAN blind ("Remove all degradation"), first `slow` images.
// Also the analysis' σ at mid-grey and grain against the truth.
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

func realNoiseBenchmark(_ arguments: [String]) throws {
    var set = "testsets/CBSD68", limit = Int.max, slow = 12, threads = 0
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--set": set = value
        case "--limit": limit = Int(value) ?? limit
        case "--slow": slow = Int(value) ?? slow
        case "--threads": threads = Int(value) ?? threads
        default: throw RestoreError(.invalidArgument, "rkbench realnoise: unknown option '\(arguments[i])'")
        }
        i += 2
    }
    let paths = Array(try imagePaths(set).prefix(limit))
    guard !paths.isEmpty else { throw RestoreError(.io, "no images in \(set)") }
    let engine = RestorationEngine(modelsDirectory: nil)
    guard engine.backends.contains(where: { $0.name == "ffdnet" }) else {
        throw RestoreError(.model, "rkbench realnoise needs FFDNet installed (make models)")
    }
    let factors = [0.75, 1, 1.25, 1.5, 2, 2.5, 3]
    struct Scores { var psnr: [Double] = [], ssim: [Double] = [] }
    var noisy = Scores(), analysed = Scores(), truth = Scores(), single = Scores(), bm3d = Scores(),
        blind = Scores()
    var sigmaErrors: [Double] = [], grains: [(Double, Double)] = [], analysedSeconds: [Double] = []
    var rows: [String] = []
    func score(_ image: Image, _ clean: Image, into scores: inout Scores) throws -> Double {
        scores.psnr.append(try PSNR.measure(image, reference: clean))
        scores.ssim.append(try SSIM.measure(image, reference: clean))
        return scores.psnr.last!
    }
    func restore(_ image: Image, _ prompt: String, model: String = "auto") throws -> Image {
        var request = try RestorationRequest(restoration: prompt)
        request.model = model
        request.threads = threads
        return try engine.restore(image, request: request).image
    }
    for (index, path) in paths.enumerated() {
        let clean = try ImageFile.read(path).image.colorOnly
        let draw = try CameraPipeline.degrade(clean, seed: 7000 + UInt64(index))
        let image = draw.result.image
        let jpeg = draw.jpegQuality.map { ", Dejpeg with quality \($0)" } ?? ""
        _ = try score(image, clean, into: &noisy)
        let start = now()
        let analysis = engine.analyze(image)
        let restored = try restore(image, "")
        analysedSeconds.append(now() - start)
        let a = try score(restored, clean, into: &analysed)
        let b = try score(try restore(image, draw.result.prompt.description), clean, into: &truth)
        let trueMid = draw.noise.profile.midGreySigma(uniform: draw.noise.sigma)
        let found = (try? analysis.filling(RestorationPrompt(denoise: .estimate))) ?? RestorationPrompt()
        let foundMid = found.denoise?.value ?? 0
        sigmaErrors.append(abs(foundMid - trueMid) / trueMid)
        grains.append((found.denoiseProfile?.grain ?? 1, draw.noise.grain))
        var best = (psnr: -Double.infinity, ssim: 0.0, factor: 0.0)
        for f in factors {
            let sigma = min((draw.noise.sigma * f * 1000).rounded() / 1000, 75.0 / 255)
            let out = try restore(image, "Denoise with sigma \(sigma)" + jpeg, model: "ffdnet")
            let p = try PSNR.measure(out, reference: clean)
            if p > best.psnr { best = (p, try SSIM.measure(out, reference: clean), f) }
        }
        single.psnr.append(best.psnr)
        single.ssim.append(best.ssim)
        if index < slow {
            let sigma = (draw.noise.sigma * 1000).rounded() / 1000
            _ = try score(try restore(image, "Denoise with sigma \(sigma)" + jpeg, model: "classic"), clean, into: &bm3d)
            _ = try score(try restore(image, "Remove all degradation", model: "realesrgan"), clean, into: &blind)
        }
        rows.append("| \(fileStem(path)) | \(draw.result.prompt) | \(fixed(b, 2)) | "
            + "\(analysis.prompt.description.isEmpty ? "(none)" : analysis.prompt.description) | \(fixed(a, 2)) | "
            + "×\(best.factor): \(fixed(best.psnr, 2)) |")
    }
    let n = paths.count
    print("## Real-camera noise\n")
    print("\(set), \(n) images, each through the camera pipeline (`restorekit degrade --pipeline camera`) "
        + "with seed 7000 + its index: shot and read noise, demosaicing, colour matrix, tone curve, optional "
        + "sharpening and JPEG q 70–95. RGB PSNR / SSIM against the original; installed models, "
        + "\(threads == 0 ? "all" : String(threads)) threads.\n")
    print("| restoration | PSNR (dB) | SSIM | images |")
    print("|---|---:|---:|---:|")
    func line(_ name: String, _ s: Scores) {
        guard !s.psnr.isEmpty else { return }
        print("| \(name) | \(fixed(mean(s.psnr), 2)) | \(fixed(mean(s.ssim), 4)) | \(s.psnr.count) |")
    }
    line("input (noisy)", noisy)
    line("(a) analysed prompt", analysed)
    line("(b) true prompt (noise profile, oracle)", truth)
    line("(c) FFDNet, best single σ (oracle, searched)", single)
    line("(d) BM3D at the true σ", bm3d)
    line("(e) Real-ESRGAN blind", blind)
    print()
    let k = min(slow, n)
    if k > 0 {
        print("On the first \(k) images: (a) \(fixed(mean(Array(analysed.psnr.prefix(k))), 2)) dB, "
            + "(b) \(fixed(mean(Array(truth.psnr.prefix(k))), 2)) dB, "
            + "(c) \(fixed(mean(Array(single.psnr.prefix(k))), 2)) dB.\n")
    }
    print("(a) − (c): \(fixed(mean(analysed.psnr) - mean(single.psnr), 2)) dB (target ≥ +0.3); "
        + "(b) − (a): \(fixed(mean(truth.psnr) - mean(analysed.psnr), 2)) dB (target ≤ 0.5). "
        + "Analysed σ at mid-grey: median relative error \(fixed(median(sigmaErrors), 3)), "
        + "90th percentile \(fixed(sigmaErrors.sorted()[min(n - 1, n * 9 / 10)], 3)) (target ≤ 0.2). "
        + "Grain: analysed median \(fixed(median(grains.map(\.0)), 2)), true median \(fixed(median(grains.map(\.1)), 2)). "
        + "Analysis and restoration per image, median: \(fixed(median(analysedSeconds), 2)) s.\n")
    print("| image | true prompt | dB | analysed prompt | dB | best single σ |")
    print("|---|---|---:|---|---:|---:|")
    for row in rows { print(row) }
    print()
}
