// rkbench denoise: BM3D on CBSD68 with additive white Gaussian noise.
//
//   rkbench denoise [--sigmas 15,25,50] [--limit N] [--subset N] [--threads N] [--out DIR]
//                   [--megapixel-runs N]
//
// For each σ (of 255) and image, noise drawn with a fixed seed is added in
// floating point (not clipped); the noisy image is written to DIR/sigmaS/NAME.npy
// (float32, height × width × 3) so that bench/anchors/denoise_anchors.py filters
// exactly the same input, and per-image results go to DIR/rkbench.tsv. Prints a
// Markdown section: mean PSNR / SSIM (RGB, data range 1) per σ and seconds per
// image, over all images and over the first `subset` (the images the reference
// implementation is timed on), and the time for one megapixel at σ 0.04 (the
// demo prompt's noise level), on a 1000 × 1000 mosaic of CBSD68 images.
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

func denoiseBenchmark(_ arguments: [String]) throws {
    var sigmas = [15, 25, 50]
    var limit = Int.max, subset = 10, threads = 0, megapixelRuns = 3
    var out = "bench/out/denoise"
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--sigmas": sigmas = value.split(separator: ",").compactMap { Int($0) }
        case "--limit": limit = Int(value) ?? limit
        case "--subset": subset = Int(value) ?? subset
        case "--threads": threads = Int(value) ?? threads
        case "--out": out = value
        case "--megapixel-runs": megapixelRuns = Int(value) ?? megapixelRuns
        default: throw RestoreError(.invalidArgument, "rkbench denoise: unknown option '\(arguments[i])'")
        }
        i += 2
    }
    let paths = Array(try imagePaths("testsets/CBSD68").prefix(limit))
    guard !paths.isEmpty else { throw RestoreError(.io, "no CBSD68 images found") }
    try makeDirectory(out)
    var table = "sigma\tname\tpsnr\tssim\tseconds\n"
    var rows: [String] = []
    for sigma in sigmas {
        try makeDirectory(out + "/sigma\(sigma)")
        var psnrs: [Double] = [], ssims: [Double] = [], times: [Double] = []
        for (index, path) in paths.enumerated() {
            let clean = try ImageFile.read(path).image.colorOnly
            let noisy = addNoise(clean, sigma: Double(sigma) / 255, seed: UInt64(sigma * 1000 + index))
            let name = baseName(path)
            try FileIO.writeAtomically(npy(noisy), to: out + "/sigma\(sigma)/\(name).npy")
            let denoiser = BM3DDenoiser(sigma: Double(sigma) / 255)
            let start = now()
            let restored = try denoiser.restore(tile: noisy, origin: (0, 0),
                                                context: RestorationContext(threads: threads))
            let seconds = now() - start
            let psnr = try PSNR.measure(restored, reference: clean)
            let ssim = try SSIM.measure(restored, reference: clean)
            psnrs.append(psnr)
            ssims.append(ssim)
            times.append(seconds)
            table += "\(sigma)\t\(name)\t\(psnr)\t\(ssim)\t\(seconds)\n"
        }
        let k = min(subset, times.count)
        rows.append("| \(sigma) | \(fixed(mean(psnrs), 2)) | \(fixed(mean(ssims), 4)) | \(fixed(mean(times), 2)) "
            + "| \(fixed(mean(Array(psnrs.prefix(k))), 2)) | \(fixed(mean(Array(times.prefix(k))), 2)) |")
    }
    try FileIO.writeAtomically(Array(table.utf8), to: out + "/rkbench.tsv")
    let megapixel = megapixelRuns > 0
        ? try megapixelSeconds(paths: paths, threads: threads, runs: megapixelRuns) : []
    print("## Denoising: RestoreKit BM3D on CBSD68 (\(paths.count) images)\n")
    print("AWGN of σ/255 added in floating point (fixed seeds, not clipped); output clamped to [0, 1];")
    print("PSNR and SSIM over RGB, data range 1. Threads: \(threads > 0 ? threads : ProcessorInfo.coreCount).\n")
    let first = "first \(min(subset, paths.count))"
    print("| σ | PSNR dB | SSIM | s / image | PSNR dB, \(first) | s / image, \(first) |")
    print("|---|---|---|---|---|---|")
    for row in rows { print(row) }
    print()
    if !megapixel.isEmpty {
        print("One megapixel (1000 × 1000 mosaic of CBSD68 images, σ 0.04, noise clipped as in real input): "
            + "\(fixed(median(megapixel), 2)) s (median of \(megapixel.count) runs).\n")
    }
}

/// Seconds to denoise a 1000 × 1000 mosaic of the CBSD68 images at σ 0.04, `runs` times.
private func megapixelSeconds(paths: [String], threads: Int, runs: Int) throws -> [Double] {
    var mosaic = try Image(width: 1000, height: 1000, layout: .rgb)
    var x = 0, y = 0, rowHeight = 0, index = 0
    while y < 1000 {
        let tile = try ImageFile.read(paths[index % paths.count]).image.colorOnly
        index += 1
        let w = min(tile.width, 1000 - x), h = min(tile.height, 1000 - y)
        mosaic.paste(tile.cropped(to: Rect(x: 0, y: 0, width: w, height: h)), x: x, y: y)
        rowHeight = max(rowHeight, h)
        x += w
        if x == 1000 {
            x = 0
            y += rowHeight
            rowHeight = 0
        }
    }
    let noisy = try mosaic.addingGaussianNoise(sigma: 0.04, seed: 1)
    let denoiser = BM3DDenoiser(sigma: 0.04)
    return try timeRuns(runs) {
        _ = try denoiser.restore(tile: noisy, origin: (0, 0), context: RestorationContext(threads: threads))
    }
}

/// `image` plus N(0, σ²) noise per sample, unclipped, from a seeded generator.
private func addNoise(_ image: Image, sigma: Double, seed: UInt64) -> Image {
    var noisy = image
    var generator = SeededGenerator(seed: seed)
    for i in noisy.samples.indices {
        noisy.samples[i] += Float(generator.nextNormal() * sigma)
    }
    return noisy
}

/// A float32 .npy file of `image` as height × width × channels (interleaved).
private func npy(_ image: Image) -> [UInt8] {
    let channels = image.layout.channelCount
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(image.height), \(image.width), \(channels)), }"
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in '\n'.
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + image.samples.count * 4)
    for y in 0 ..< image.height {
        for x in 0 ..< image.width {
            for c in 0 ..< channels {
                let bits = image[x, y, c].bitPattern
                bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
            }
        }
    }
    return bytes
}

/// The file name of `path` without folder and extension.
private func baseName(_ path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.split(separator: ".").dropLast().joined(separator: ".")
}

/// Creates `path` and its parents (existing folders are fine).
private func makeDirectory(_ path: String) throws {
    var partial = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        partial += "/" + component
        if mkdir(partial, 0o755) != 0 && errno != EEXIST {
            throw RestoreError(.io, "cannot create folder '\(partial)'")
        }
    }
}
