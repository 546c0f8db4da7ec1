// rkbench denoise: BM3D and FFDNet on CBSD68 with additive white Gaussian noise.
//
//   rkbench denoise [--sigmas 15,25,50] [--limit N] [--subset N] [--threads N] [--out DIR]
//                   [--megapixel-runs N] [--methods bm3d,ffdnet] [--ffdnet-threads N]
//
// For each σ (of 255) and image, noise drawn with a fixed seed is added in
// floating point (not clipped); the noisy image is written to DIR/sigmaS/NAME.npy
// (float32, height × width × 3) so that the anchor scripts (bench/anchors/) filter
// exactly the same input. BM3D's per-image results go to DIR/rkbench.tsv; FFDNet's
// to DIR/ffdnet.tsv: FFDNet fed the float noisy image as it is (the published
// protocol: values outside [0, 1] reach the network), and fed it clipped and
// rounded to 8 bits (what users' files hold), each on `ffdnet-threads` threads
// (default 2, as PyTorch runs in bench/anchors/ffdnet_anchor.py). Prints a
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
    var limit = Int.max, subset = 10, threads = 0, megapixelRuns = 3, ffdnetThreads = 2
    var methods: Set<String> = ["bm3d", "ffdnet"]
    var out = "bench/out/denoise"
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--sigmas": sigmas = value.split(separator: ",").compactMap { Int($0) }
        case "--limit": limit = Int(value) ?? limit
        case "--subset": subset = Int(value) ?? subset
        case "--threads": threads = Int(value) ?? threads
        case "--ffdnet-threads": ffdnetThreads = Int(value) ?? ffdnetThreads
        case "--out": out = value
        case "--megapixel-runs": megapixelRuns = Int(value) ?? megapixelRuns
        case "--methods": methods = Set(value.split(separator: ",").map(String.init))
        default: throw RestoreError(.invalidArgument, "rkbench denoise: unknown option '\(arguments[i])'")
        }
        i += 2
    }
    let paths = Array(try imagePaths("testsets/CBSD68").prefix(limit))
    guard !paths.isEmpty else { throw RestoreError(.io, "no CBSD68 images found") }
    let ffdnet = methods.contains("ffdnet") ? try FFDNetRuns(threads: ffdnetThreads) : nil
    try makeFolders(out)
    var table = "sigma\tname\tpsnr\tssim\tseconds\n"
    var ffdnetTable = "sigma\tname\tpsnr_float\tssim_float\tseconds_float\tpsnr_8bit\tssim_8bit\tseconds_8bit\n"
    var rows: [String] = [], ffdnetRows: [String] = []
    for sigma in sigmas {
        try makeFolders(out + "/sigma\(sigma)")
        var psnrs: [Double] = [], ssims: [Double] = [], times: [Double] = []
        var learned: [[Double]] = []
        let learnedDenoiser = try ffdnet?.denoiser(sigma: Double(sigma) / 255)
        for (index, path) in paths.enumerated() {
            let clean = try ImageFile.read(path).image.colorOnly
            let noisy = addNoise(clean, sigma: Double(sigma) / 255, seed: UInt64(sigma * 1000 + index))
            let name = fileStem(path)
            try FileIO.writeAtomically(npy(noisy), to: out + "/sigma\(sigma)/\(name).npy")
            if let ffdnet, let learnedDenoiser {
                let scores = try ffdnet.scores(learnedDenoiser, noisy: noisy, clean: clean)
                learned.append(scores)
                ffdnetTable += "\(sigma)\t\(name)\t" + scores.map { "\($0)" }.joined(separator: "\t") + "\n"
            }
            guard methods.contains("bm3d") else { continue }
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
        if !times.isEmpty {
            let k = min(subset, times.count)
            rows.append("| \(sigma) | \(fixed(mean(psnrs), 2)) | \(fixed(mean(ssims), 4)) | \(fixed(mean(times), 2)) "
                + "| \(fixed(mean(Array(psnrs.prefix(k))), 2)) | \(fixed(mean(Array(times.prefix(k))), 2)) |")
        }
        if !learned.isEmpty {
            let m = (0 ..< 6).map { c in mean(learned.map { $0[c] }) }
            ffdnetRows.append("| \(sigma) | \(fixed(m[0], 2)) | \(fixed(m[1], 4)) | \(fixed(m[2], 3)) "
                + "| \(fixed(m[3], 2)) | \(fixed(m[4], 4)) | \(fixed(m[5], 3)) |")
        }
    }
    if methods.contains("bm3d") { try FileIO.writeAtomically(Array(table.utf8), to: out + "/rkbench.tsv") }
    if ffdnet != nil { try FileIO.writeAtomically(Array(ffdnetTable.utf8), to: out + "/ffdnet.tsv") }
    if !rows.isEmpty {
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
    if !ffdnetRows.isEmpty {
        print("## Denoising: RestoreKit FFDNet on CBSD68 (\(paths.count) images)\n")
        print("The same noisy images. Float: fed to the network as they are, values outside [0, 1] included "
            + "(FFDNet's published protocol); 8-bit: clipped and rounded to 8 bits first, as an image file holds them. "
            + "FFDNet colour network at the stated σ, output clamped to [0, 1] (as the reference test code does); "
            + "PSNR and SSIM over RGB, data range 1; \(ffdnetThreads) threads, model loaded once.\n")
        print("| σ | PSNR dB, float | SSIM, float | s / image, float | PSNR dB, 8-bit | SSIM, 8-bit | s / image, 8-bit |")
        print("|---|---|---|---|---|---|---|")
        for row in ffdnetRows { print(row) }
        print()
    }
}

/// FFDNet from the installed models, as the "ffdnet" backend serves "Denoise
/// with sigma S", run on whole images.
private struct FFDNetRuns {
    let backend: any RestorationBackend
    let threads: Int

    init(threads: Int) throws {
        let engine = RestorationEngine(modelsDirectory: nil)
        guard let backend = engine.backends.first(where: { $0.name == "ffdnet" }) else {
            throw RestoreError(.model, "FFDNet is not installed; run '\(ModelCatalog.fetchCommand)'")
        }
        self.backend = backend
        self.threads = threads
    }

    /// The backend's colour denoiser for noise of `sigma`.
    func denoiser(sigma: Double) throws -> any LocalRestorer {
        guard let restorer = try backend.restorer(for: .denoise(sigma: sigma), request: RestorationRequest(),
                                                  channels: 3) as? any LocalRestorer else {
            throw RestoreError(.model, "the ffdnet backend has no whole-image denoiser for σ \(sigma)")
        }
        return restorer
    }

    /// PSNR, SSIM and seconds of `restorer` on `noisy` as it is, then on
    /// `noisy` clipped and rounded to 8 bits.
    func scores(_ restorer: any LocalRestorer, noisy: Image, clean: Image) throws -> [Double] {
        var scores: [Double] = []
        for input in [noisy, eightBit(noisy)] {
            let start = now()
            let restored = try restorer.restore(tile: input, origin: (0, 0), context: RestorationContext(threads: threads))
            let seconds = now() - start
            scores += [try PSNR.measure(restored, reference: clean), try SSIM.measure(restored, reference: clean), seconds]
        }
        return scores
    }
}

/// `image` clipped to [0, 1] and rounded to 8-bit levels, as an image file holds it.
private func eightBit(_ image: Image) -> Image {
    var out = image
    for i in out.samples.indices { out.samples[i] = (min(max(out.samples[i], 0), 1) * 255).rounded() / 255 }
    return out
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
