import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// `rkbench dejpeg [--gray] [--chroma 4:2:0|4:2:2|4:4:4] [--limit N] [--threads N] [--models DIR] [Q…]`:
/// LIVE1 compressed by libjpeg-turbo at each quality Q (default 10 20 30), in
/// colour (chroma 4:2:0 unless stated) or, with --gray, as the BT.601 Y channel
/// (the published gray rows' protocol); decoded, and restored with the file's
/// tables and chroma subsampling by each backend that deblocks, as the engine
/// hands them out: the classic JPEG deblocker and, when the FFDNet model is
/// installed (in DIR, else the default folder), FFDNet plug-and-play
/// (`PlugAndPlayDeblocker`). Prints PSNR of the decoded JPEG and of each
/// restoration (RGB and Y for colour; outputs rounded to 8 bits as a file
/// would hold them) and the seconds of the restoration alone, per image and
/// per megapixel. Then each backend's speed on one megapixel at quality 40,
/// whole and in 256-pixel tiles, and how far the tiled result is from the
/// whole-image one.
func dejpegBenchmark(_ arguments: [String]) throws {
    var gray = false, chroma = ChromaSubsampling.both, limit = Int.max, threads = 0, qualities: [Int] = []
    var modelsDirectory: String?
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        switch argument {
        case "--gray": gray = true
        case "--chroma":
            let value = rest.popFirst() ?? ""
            guard let subsampling = ChromaSubsampling(rawValue: value) else {
                throw RestoreError(.invalidArgument, "--chroma takes 4:2:0, 4:2:2 or 4:4:4, not '\(value)'")
            }
            chroma = subsampling
        case "--limit": limit = Int(rest.popFirst() ?? "") ?? limit
        case "--threads": threads = Int(rest.popFirst() ?? "") ?? threads
        case "--models": modelsDirectory = rest.popFirst()
        default:
            guard let q = Int(argument), (1 ... 100).contains(q) else {
                throw RestoreError(.invalidArgument, "unknown argument '\(argument)'")
            }
            qualities.append(q)
        }
    }
    if qualities.isEmpty { qualities = [10, 20, 30] }
    let paths = Array(try imagePaths("testsets/LIVE1").prefix(limit))
    let originals = try paths.map { path -> Image in
        let image = try ImageFile.read(path).image.colorOnly
        return gray ? try grayImage(image) : image
    }
    let backends = dejpegBackends(modelsDirectory: modelsDirectory)
    let channels = gray ? 1 : 3

    let threadCount = threads > 0 ? threads : ProcessorInfo.coreCount
    print("## JPEG deblocking (LIVE1, \(originals.count) \(gray ? "gray" : "colour \(chroma.rawValue)") images, "
        + "\(threadCount) threads)\n")
    let methods = backends.map { $0.name == "classic" ? "classic" : "\($0.name) plug-and-play" }
    if gray {
        print("| q | JPEG |" + methods.map { " \($0) | gain | s / image | s / MP |" }.joined())
        print("|---|---|" + String(repeating: "---|---|---|---|", count: methods.count))
    } else {
        print("| q | JPEG RGB | JPEG Y |" + methods.map { " \($0) RGB | gain RGB | Y | gain Y | s / image | s / MP |" }.joined())
        print("|---|---|---|" + String(repeating: "---|---|---|---|---|---|", count: methods.count))
    }
    let megapixels = originals.reduce(0) { $0 + Double($1.planeCount) } / 1e6
    let context = RestorationContext(threads: threads)
    for q in qualities {
        var before: [Double] = [], beforeY: [Double] = []
        var after = [[Double]](repeating: [], count: backends.count), afterY = after, seconds = after
        for original in originals {
            let decoded = try JPEGCodec.decode(JPEGCodec.encode(original, quality: q, chroma: chroma))
            let info = decoded.jpeg!
            let tables = JPEGTables(luma: info.table(forComponent: 0)!, chroma: info.table(forComponent: 1),
                                    subsampling: chroma)
            before.append(try PSNR.measure(decoded.image, reference: original))
            if !gray { beforeY.append(try PSNR.measure(decoded.image, reference: original, channels: .lumaY)) }
            for (index, backend) in backends.enumerated() {
                let restorer = try backend.restorer(for: .dejpeg(quality: q, tables: tables),
                                                    request: RestorationRequest(), channels: channels)!
                let start = now()
                let restored = try restoreWhole(decoded.image, with: restorer, context: context)
                seconds[index].append(now() - start)
                let output = try eightBit(restored)
                after[index].append(try PSNR.measure(output, reference: original))
                if !gray { afterY[index].append(try PSNR.measure(output, reference: original, channels: .lumaY)) }
            }
        }
        let (b, by) = (mean(before), gray ? 0 : mean(beforeY))
        var row = gray ? "| \(q) | \(fixed(b, 2)) |" : "| \(q) | \(fixed(b, 2)) | \(fixed(by, 2)) |"
        for index in backends.indices {
            let a = mean(after[index])
            let timing = " \(fixed(mean(seconds[index]), 3)) | \(fixed(seconds[index].reduce(0, +) / megapixels, 3)) |"
            if gray {
                row += " \(fixed(a, 2)) | \(fixed(a - b, 2)) |" + timing
            } else {
                let ay = mean(afterY[index])
                row += " \(fixed(a, 2)) | \(fixed(a - b, 2)) | \(fixed(ay, 2)) | \(fixed(ay - by, 2)) |" + timing
            }
        }
        print(row)
    }
    if gray {
        print("\nPublished gray LIVE1 rows at q 10 / 20 / 30 (Dong et al., ARCNN, ICCV 2015): "
            + "JPEG 27.77 / 30.07 / 31.41, ARCNN 28.96 / 31.29 / 32.67 dB.")
    }
    let image = try mosaic(originals)
    for backend in backends { try megapixelRun(image, backend: backend, threads: threads) }
}

/// The backends that deblock: the classic floor, then the learned ones
/// installed (from `modelsDirectory`, else the default folder) that take the task.
private func dejpegBackends(modelsDirectory: String?) -> [any RestorationBackend] {
    let engine = RestorationEngine(modelsDirectory: modelsDirectory)
    let all = engine.backends.filter { $0.name == "classic" } + engine.backends.filter { $0.name != "classic" }
    return all.filter {
        (try? $0.restorer(for: .dejpeg(quality: 50, tables: nil), request: RestorationRequest(), channels: 1)) != nil
    }
}

/// `image` restored whole by `restorer`, as one tile.
private func restoreWhole(_ image: Image, with restorer: any Restorer, context: RestorationContext) throws -> Image {
    let all = Rect(x: 0, y: 0, width: image.width, height: image.height)
    return try restorer.restore(image, at: all, producing: all, inputWidth: image.width, inputHeight: image.height,
                                context: context)
}

/// Times `backend`'s deblocker on `image` compressed at quality 40, whole and
/// tile by tile (256 × 256 output tiles, each restored from `inputRect`'s
/// region), and prints both times and the largest difference between the two
/// results.
private func megapixelRun(_ image: Image, backend: any RestorationBackend, threads: Int) throws {
    let decoded = try JPEGCodec.decode(JPEGCodec.encode(image, quality: 40))
    let info = decoded.jpeg!
    let tables = JPEGTables(luma: info.table(forComponent: 0)!, chroma: info.table(forComponent: 1))
    let deblocker = try backend.restorer(for: .dejpeg(quality: 40, tables: tables), request: RestorationRequest(),
                                         channels: image.layout.colorChannelCount)!
    let (w, h) = (image.width, image.height)
    let context = RestorationContext(threads: threads)
    let cpuStart = processorSeconds()
    let wholeSeconds = median(try timeRuns(3) { _ = try restoreWhole(decoded.image, with: deblocker, context: context) })
    let cpuSeconds = (processorSeconds() - cpuStart) / 3
    let whole = try restoreWhole(decoded.image, with: deblocker, context: context)
    var tiled = decoded.image
    let start = now()
    for y in stride(from: 0, to: h, by: 256) {
        for x in stride(from: 0, to: w, by: 256) {
            let output = Rect(x: x, y: y, width: min(256, w - x), height: min(256, h - y))
            let input = deblocker.inputRect(for: output, inputWidth: w, inputHeight: h)
            tiled.paste(try deblocker.restore(decoded.image.cropped(to: input), at: input, producing: output,
                                              inputWidth: w, inputHeight: h, context: context), x: x, y: y)
        }
    }
    let tiledSeconds = now() - start
    let difference = zip(whole.samples, tiled.samples).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    let kind = image.layout == .gray ? "gray" : "colour"
    let local = deblocker as? any LocalRestorer
    print("\n\(deblocker.name), \(w) × \(h) \(kind) image (\(fixed(Double(w * h) / 1e6, 2)) MP, LIVE1 crops) at quality 40: "
        + "\(fixed(wholeSeconds, 2)) s whole (median of 3; \(fixed(cpuSeconds, 2)) s of processor time, all threads), "
        + "\(fixed(tiledSeconds, 2)) s in 256-pixel tiles "
        + "(halo \(local?.halo ?? 0), alignment \(local?.alignment ?? 1)); largest tiled − whole difference "
        + "\(difference * 255) levels.")
}

/// Processor seconds this process has used, all threads together: with other
/// work on the machine, wall-clock times overstate the restorer's cost.
private func processorSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// A 1024 × 1024 image of 256 × 256 crops, taken from the centres of `images`
/// in turn.
private func mosaic(_ images: [Image]) throws -> Image {
    let layout = images[0].layout
    var out = try Image(width: 1024, height: 1024, layout: layout)
    for index in 0 ..< 16 {
        let image = images[index % images.count]
        let crop = Rect(x: (image.width - 256) / 2, y: (image.height - 256) / 2, width: 256, height: 256)
        out.paste(image.cropped(to: crop), x: index % 4 * 256, y: index / 4 * 256)
    }
    return out
}

/// `image` rounded to 8-bit levels, as a saved file holds it.
private func eightBit(_ image: Image) throws -> Image {
    try image.interleaved8().withUnsafeBufferPointer {
        try Image(interleaved8: $0, width: image.width, height: image.height, layout: image.layout)
    }
}

/// The 8-bit gray version of an RGB image as the published gray JPEG rows
/// (ARCNN, DnCNN) make it: the Y channel of MATLAB's rgb2ycbcr on uint8 data,
/// BT.601 studio-range luma rounded to 8 bits.
private func grayImage(_ image: Image) throws -> Image {
    let n = image.planeCount
    var samples = [Float](repeating: 0, count: n)
    for i in 0 ..< n {
        let luma = LumaY.value(red: Double(image.samples[i]), green: Double(image.samples[n + i]),
                               blue: Double(image.samples[2 * n + i]))
        samples[i] = Float((luma * 255).rounded() / 255)
    }
    return try Image(width: image.width, height: image.height, layout: .gray, samples: samples)
}
