import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

// rkbench upsample [SET…] [--scales 2,3,4] [--quick | --damage | --tiling]
//
// --quick stops after the main table; --damage and --tiling run only that section.
//
// Super-resolution on the standard protocol: the ground truth cropped to a
// multiple of the scale, downscaled with RestoreKit's Pillow-exact antialiased
// bicubic (`Image.resized(…, filter: .bicubic)`, Keys a = −0.5, the kernel
// stretched by the scale as in MATLAB's imresize) and rounded to 8 bits; the
// result rounded to 8 bits and scored on BT.601 Y with `scale` border pixels
// cropped (`PSNR`/`SSIM` with `.lumaY`). Bicubic upscaling in the same run
// checks the protocol against the published bicubic numbers.
//
// Then: stated blur and noise (Set5), speed at 1 MP output, and tiled versus
// whole-image agreement.
func upsampleBenchmark(_ arguments: [String]) throws {
    var sets: [String] = [], scales = [2, 3, 4], quick = false
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        switch argument {
        case "--scales":
            guard let list = rest.popFirst() else { throw RestoreError(.invalidArgument, "--scales needs a list, e.g. 2,4") }
            scales = list.split(separator: ",").compactMap { Int($0) }
        case "--quick":
            quick = true
        case "--damage":
            try statedDamage()
            return
        case "--tiling":
            try tiling()
            return
        default:
            sets.append(argument)
        }
    }
    if sets.isEmpty { sets = ["Set5", "Set14"] }

    print("## Upsampling: back-projection (classic)\n")
    print("Bicubic degradation, Y-channel PSNR (dB) / SSIM, border of `scale` pixels cropped, "
          + "8-bit input and output; seconds per image on \(ProcessorInfo.coreCount) threads.\n")
    print("| set | scale | bicubic (published) | bicubic | back-projection | gain | s/image |")
    print("|---|---|---|---|---|---|---|")
    for set in sets {
        let images = try imagePaths("testsets/" + set).map { try ImageFile.read($0).image.colorOnly }
        for scale in scales {
            var bicubic: [(Double, Double)] = [], ours: [(Double, Double)] = [], seconds: [Double] = []
            for truth in images {
                let reference = truth.cropped(to: Rect(width: truth.width - truth.width % scale,
                                                       height: truth.height - truth.height % scale))
                let low = quantized(try reference.resized(width: reference.width / scale,
                                                          height: reference.height / scale, filter: .bicubic))
                let plain = quantized(try low.resized(width: reference.width, height: reference.height,
                                                      filter: .bicubic))
                bicubic.append(try scores(plain, reference, crop: scale))
                let start = now()
                let restored = quantized(try upsample(low, factor: Double(scale)))
                seconds.append(now() - start)
                ours.append(try scores(restored, reference, crop: scale))
            }
            let b = (mean(bicubic.map(\.0)), mean(bicubic.map(\.1)))
            let o = (mean(ours.map(\.0)), mean(ours.map(\.1)))
            print("| \(set) | ×\(scale) | \(publishedBicubic[set]?[scale].map { fixed($0, 2) } ?? "–") "
                  + "| \(fixed(b.0, 2)) / \(fixed(b.1, 4)) | \(fixed(o.0, 2)) / \(fixed(o.1, 4)) "
                  + "| +\(fixed(o.0 - b.0, 2)) | \(fixed(mean(seconds), 3)) |")
        }
    }
    if quick { return }
    try statedDamage()
    try speed()
    try tiling()
}

/// Published bicubic Y-PSNR (data/README.md), by set and scale.
private let publishedBicubic: [String: [Int: Double]] = [
    "Set5": [2: 33.66, 3: 30.39, 4: 28.42],
    "Set14": [2: 30.24, 3: 27.55, 4: 26.00],
]

/// Set5 with a Gaussian blur before the downscale or noise after it: bicubic,
/// back-projection told nothing, and back-projection told the truth.
private func statedDamage() throws {
    print("\n### Stated blur and noise (Set5, Y-PSNR dB)\n")
    print("| damage | bicubic | back-projection, not told | back-projection, told |")
    print("|---|---|---|---|")
    let images = try imagePaths("testsets/Set5").map { try ImageFile.read($0).image.colorOnly }
    let cases: [(scale: Int, blur: Double, noise: Double)] = [
        (2, 1.0, 0), (4, 1.0, 0), (2, 2.0, 0), (4, 2.0, 0), (3, 1.5, 0),
        (2, 0, 0.01), (2, 0, 0.02), (2, 0, 0.05), (4, 0, 0.02), (4, 0, 0.05),
    ]
    for c in cases {
        var plain: [Double] = [], untold: [Double] = [], told: [Double] = []
        for (n, truth) in images.enumerated() {
            let reference = truth.cropped(to: Rect(width: truth.width - truth.width % c.scale,
                                                   height: truth.height - truth.height % c.scale))
            var damaged = reference
            if c.blur > 0 { damaged = damaged.convolved(with: try BlurKernel(.gaussian(sigma: c.blur))) }
            damaged = try damaged.resized(width: reference.width / c.scale, height: reference.height / c.scale,
                                          filter: .bicubic)
            if c.noise > 0 { damaged = try damaged.addingGaussianNoise(sigma: c.noise, seed: UInt64(n)) }
            let low = quantized(damaged)
            let f = Double(c.scale)
            plain.append(try scores(quantized(try low.resized(width: reference.width, height: reference.height,
                                                              filter: .bicubic)), reference, crop: c.scale).0)
            untold.append(try scores(quantized(try upsample(low, factor: f)), reference, crop: c.scale).0)
            told.append(try scores(quantized(try upsample(low, factor: f, blur: c.blur, noise: c.noise)),
                                   reference, crop: c.scale).0)
        }
        let label = "×\(c.scale)" + (c.blur > 0 ? ", blur σ \(fixed(c.blur, 1))" : "")
            + (c.noise > 0 ? ", noise σ \(fixed(c.noise, 2))" : "")
        print("| \(label) | \(fixed(mean(plain), 2)) | \(fixed(mean(untold), 2)) | \(fixed(mean(told), 2)) |")
    }
}

/// Seconds for a 1-megapixel RGB output (median of 3), for whole factors and a
/// fractional one.
private func speed() throws {
    print("\n### Speed (RGB, 1 MP output, whole image, \(ProcessorInfo.coreCount) threads, median of 3)\n")
    print("| input | factor | output | back-projection s | bicubic s |")
    print("|---|---|---|---|---|")
    let source = try ImageFile.read(try imagePaths("testsets/Set5").first { $0.hasSuffix("baby_GT.png") }!).image
    for (side, factor) in [(512, 2.0), (400, 2.5), (342, 3.0), (256, 4.0), (128, 8.0)] {
        let low = try source.colorOnly.resized(width: side, height: side, filter: .bicubic)
        let ours = try timeRuns(3) { _ = try upsample(low, factor: factor) }
        let out = RestorationPrompt.scaled(side, factor)
        let plain = try timeRuns(3) { _ = try low.resized(width: out, height: out, filter: .bicubic) }
        print("| \(side)² | ×\(fixed(factor, 1)) | \(out)² | \(fixed(median(ours), 3)) | \(fixed(median(plain), 3)) |")
    }
}

/// Tiles of 96 output pixels against one whole-image run: the largest sample
/// difference and the PSNR difference against the ground truth.
private func tiling() throws {
    print("\n### Tiled (96-pixel output tiles) versus whole image\n")
    print("| image | factor | blur | noise | max abs diff (1/255) | PSNR whole | PSNR tiled |")
    print("|---|---|---|---|---|---|---|")
    let truth = try ImageFile.read(try imagePaths("testsets/Set5").first { $0.hasSuffix("bird_GT.png") }!).image.colorOnly
    let cases: [(factor: Double, blur: Double, noise: Double)] = [
        (2, 0, 0), (3, 0, 0), (4, 0, 0), (2.5, 0, 0), (1.7, 0, 0), (6.4, 0, 0),
        (4, 1.5, 0), (2, 2, 0), (1.3, 2, 0), (2, 0, 0.05), (2, 2, 0.05),
    ]
    for (factor, blur, noise) in cases {
        let w = Int(Double(truth.width) / factor), h = Int(Double(truth.height) / factor)
        var low = truth
        if blur > 0 { low = low.convolved(with: try BlurKernel(.gaussian(sigma: blur))) }
        low = quantized(try low.resized(width: w, height: h, filter: .bicubic))
        let upsampler = BackProjectionUpsampler(factor: factor, blur: blur, noise: noise)
        let whole = try upsample(low, factor: factor, blur: blur, noise: noise)
        var tiled = try Image(width: whole.width, height: whole.height, layout: whole.layout)
        for y in stride(from: 0, to: whole.height, by: 96) {
            for x in stride(from: 0, to: whole.width, by: 96) {
                let tile = Rect(x: x, y: y, width: min(96, whole.width - x), height: min(96, whole.height - y))
                let needed = upsampler.inputRect(for: tile, inputWidth: w, inputHeight: h)
                tiled.paste(try upsampler.restore(low.cropped(to: needed), at: needed, producing: tile,
                                                  inputWidth: w, inputHeight: h, context: RestorationContext()),
                            x: x, y: y)
            }
        }
        let diff = zip(whole.samples, tiled.samples).map { abs($0 - $1) }.max() ?? 0
        let reference = try truth.resized(width: whole.width, height: whole.height, filter: .bicubic)
        let a = try PSNR.measure(whole, reference: reference, channels: .lumaY)
        let b = try PSNR.measure(tiled, reference: reference, channels: .lumaY)
        print("| bird | ×\(fixed(factor, 1)) | \(fixed(blur, 1)) | \(fixed(noise, 2)) | \(fixed(Double(diff) * 255, 4)) "
              + "| \(fixed(a, 3)) | \(fixed(b, 3)) |")
    }
}

/// `low` upsampled whole by back-projection on all cores.
private func upsample(_ low: Image, factor: Double, blur: Double = 0, noise: Double = 0) throws -> Image {
    let upsampler = BackProjectionUpsampler(factor: factor, blur: blur, noise: noise)
    let (w, h) = upsampler.outputSize(width: low.width, height: low.height)
    let all = Rect(width: low.width, height: low.height)
    return try upsampler.restore(low, at: all, producing: Rect(width: w, height: h), inputWidth: low.width,
                                 inputHeight: low.height, context: RestorationContext())
}

/// Y-PSNR and Y-SSIM of `image` against `reference` with `crop` border pixels off.
private func scores(_ image: Image, _ reference: Image, crop: Int) throws -> (Double, Double) {
    (try PSNR.measure(image, reference: reference, channels: .lumaY, crop: crop),
     try SSIM.measure(image, reference: reference, channels: .lumaY, crop: crop))
}

/// Clipped to [0, 1] and rounded to 8-bit levels, as an image file would hold it.
private func quantized(_ image: Image) -> Image {
    var out = image
    for i in out.samples.indices { out.samples[i] = (min(max(out.samples[i], 0), 1) * 255).rounded() / 255 }
    return out
}
