import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

// rkbench srmd-quality prepare|score --work DIR [--sets Set5,Set14] [--scales 2,3,4] [--threads N]
//
// SRMDNF's bicubic super-resolution quality (bench/nn.sh runs ncnn on the same
// inputs between the two steps, with bench/nn_reference.py srmd). Ground truth:
// the test image cropped to a multiple of the scale (modcrop); low resolution:
// MATLAB's imresize(·, 1/scale, 'bicubic') of it in double precision (cubic
// a = −0.5 widened by the scale, mirrored borders). Three ways to run it:
//
//   8-bit LR   the LR rounded to 8 bits (a PNG, what a user's file holds),
//              restored by RestoreKit as "Upsample to S" (model srmd), whose
//              borders are srmd-ncnn-vulkan's: 12 replicated pixels;
//   float LR   the unrounded LR through the same restorer;
//   published  SRMD's MATLAB test protocol: the unrounded LR straight into the
//              network, whose 3 × 3 convolutions zero-pad at the image borders
//              (MatConvNet's padding, as the network was trained) — RestoreKit's
//              engine runs the same .param/.bin on exactly that input.
//
// Results are rounded to 8 bits and scored on BT.601 Y (MATLAB's rgb2ycbcr on
// [0, 1] data, not rounded), `scale` border pixels cropped; gray images are
// scored on their own samples. `prepare` writes DIR/SET/xS/NAME-{truth,low}.png,
// NAME-low.f32 (the float LR, planar float32) and RestoreKit's outputs
// NAME-rk-{8bit,float,published}.png; `score` prints the table next to ncnn's
// DIR/ncnn/SET/xS/NAME-{8bit,published}.png and the published numbers.
func srmdQualityBenchmark(_ arguments: [String]) throws {
    var rest = arguments[...]
    guard let step = rest.popFirst() else { throw RestoreError(.invalidArgument, "rkbench srmd-quality: prepare | score") }
    var options: [String: String] = [:]
    while let key = rest.popFirst() {
        guard key.hasPrefix("--"), let value = rest.popFirst() else {
            throw RestoreError(.invalidArgument, "rkbench srmd-quality: expected --option value, got '\(key)'")
        }
        options[String(key.dropFirst(2))] = value
    }
    guard let work = options["work"] else { throw RestoreError(.invalidArgument, "rkbench srmd-quality: --work is required") }
    let sets = (options["sets"] ?? "Set5,Set14").split(separator: ",").map(String.init)
    let scales = (options["scales"] ?? "2,3,4").split(separator: ",").compactMap { Int($0) }
    let threads = Int(options["threads"] ?? "") ?? ProcessorInfo.coreCount
    switch step {
    case "prepare": try prepareSRMDQuality(work: work, sets: sets, scales: scales, threads: threads)
    case "score": try scoreSRMDQuality(work: work, sets: sets, scales: scales)
    default: throw RestoreError(.invalidArgument, "rkbench srmd-quality: prepare | score")
    }
}

/// The published SRMDNF rows (../shared/data/README.md): PSNR for ×2, ×3, ×4.
private let publishedSRMDNF: [String: [Int: Double]] = [
    "Set5": [2: 37.79, 3: 34.12, 4: 31.96], "Set14": [2: 33.32, 3: 30.04, 4: 28.35],
]

/// srmd-ncnn-vulkan's kernel code of "no blur beyond bicubic" (the delta kernel
/// through SRMD's PCA projection), which its bicubic models are fed.
private let deltaCode: [Float] = [
    -1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02, 8.37272935e-08,
    -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08, 3.84753793e-02, 3.79465739e-08,
    -2.44916752e-01, -8.02213490e-01, -5.40549755e-01,
]

private func prepareSRMDQuality(work: String, sets: [String], scales: [Int], threads: Int) throws {
    let engine = RestorationEngine(modelsDirectory: nil)
    let models = ModelDirectory.defaultPath
    for scale in scales {
        let network = try Network(path: "\(models)/srmd/srmdnf_x\(scale)")
        var request = try RestorationRequest(restoration: "Upsample to \(scale)")
        request.model = "srmd"
        request.threads = threads
        for set in sets {
            let folder = "\(work)/\(set)/x\(scale)"
            try makeFolders(folder)
            for path in try imagePaths("testsets/" + set) {
                let image = try ImageFile.read(path).image.colorOnly
                let name = String(path.split(separator: "/").last!.split(separator: ".").first!)
                let truth = image.cropped(to: Rect(width: image.width - image.width % scale,
                                                   height: image.height - image.height % scale))
                let low = try matlabBicubicDownscale(truth, by: scale)
                try ImageFile.write(truth, to: "\(folder)/\(name)-truth.png")
                try ImageFile.write(eightBitImage(low), to: "\(folder)/\(name)-low.png")
                try FileIO.writeAtomically(low.samples.withUnsafeBytes { Array($0) }, to: "\(folder)/\(name)-low.f32")
                for (label, input) in [("8bit", try ImageFile.read("\(folder)/\(name)-low.png").image), ("float", low)] {
                    let restored = try engine.restore(input, request: request)
                    guard restored.plan.stages.first?.backend == "srmd" else {
                        throw RestoreError(.model, "SRMD is not installed; run '\(ModelCatalog.fetchCommand)'")
                    }
                    try ImageFile.write(eightBitImage(restored.image), to: "\(folder)/\(name)-rk-\(label).png")
                }
                let published = try unpaddedForward(network, low, scale: scale, threads: threads)
                try ImageFile.write(eightBitImage(published), to: "\(folder)/\(name)-rk-published.png")
            }
        }
    }
}

/// SRMDNF on `low` as SRMD's MATLAB test code runs it: RGB (gray repeated)
/// and the delta code in, no padding beyond the convolutions' own zeros;
/// the output clamped to [0, 1] (gray: the mean of the three channels).
private func unpaddedForward(_ network: Network, _ low: Image, scale: Int, threads: Int) throws -> Image {
    let n = low.planeCount, colors = low.layout.colorChannelCount
    var planes = [Float](repeating: 0, count: (3 + deltaCode.count) * n)
    for c in 0 ..< 3 {
        for (i, v) in low.plane(colors == 1 ? 0 : c).enumerated() { planes[c * n + i] = v }
    }
    for (k, v) in deltaCode.enumerated() {
        for i in 0 ..< n { planes[(3 + k) * n + i] = v }
    }
    let input = try planes.withUnsafeBufferPointer {
        try Tensor(planar: $0, height: low.height, width: low.width, channels: 3 + deltaCode.count)
    }
    let output = try network.forward(["input": input], output: "output", threads: threads).planar()
    let (w, h) = (low.width * scale, low.height * scale)
    guard output.count == 3 * w * h else {
        throw RestoreError(.model, "\(network.source): output holds \(output.count) values, not 3 × \(h) × \(w)")
    }
    var result = try Image(width: w, height: h, layout: low.layout, encoding: low.encoding)
    for i in 0 ..< w * h {
        if colors == 1 {
            result.samples[i] = min(max((output[i] + output[w * h + i] + output[2 * w * h + i]) / 3, 0), 1)
        } else {
            for c in 0 ..< 3 { result.samples[c * w * h + i] = min(max(output[c * w * h + i], 0), 1) }
        }
    }
    return result
}

/// MATLAB's `imresize(image, 1/factor, 'bicubic')` in double precision: the
/// cubic (a = −0.5) widened by `factor` (antialiasing), weights normalised to
/// sum 1, indices past a border mirrored (`symmetric`); not rounded.
private func matlabBicubicDownscale(_ image: Image, by factor: Int) throws -> Image {
    let (w, h) = (image.width / factor, image.height / factor)
    let horizontal = matlabWeights(input: image.width, factor: factor)
    let vertical = matlabWeights(input: image.height, factor: factor)
    var out = try Image(width: w, height: h, layout: image.layout, encoding: image.encoding)
    let channels = image.layout.channelCount
    for c in 0 ..< channels {
        let plane = Array(image.plane(c))
        // Rows first (MATLAB resizes the dimension with the larger scale change first; both are equal here).
        var rows = [Double](repeating: 0, count: h * image.width)
        for y in 0 ..< h {
            for x in 0 ..< image.width {
                var sum = 0.0
                for (j, weight) in vertical[y] { sum += weight * Double(plane[j * image.width + x]) }
                rows[y * image.width + x] = sum
            }
        }
        for y in 0 ..< h {
            for x in 0 ..< w {
                var sum = 0.0
                for (i, weight) in horizontal[x] { sum += weight * rows[y * image.width + i] }
                out.samples[(c * h + y) * w + x] = Float(sum)
            }
        }
    }
    return out
}

/// For each output index of a downscale by `factor`: (input index, weight)
/// pairs, as MATLAB's `imresize` contributions() computes them.
private func matlabWeights(input length: Int, factor: Int) -> [[(Int, Double)]] {
    let scale = 1 / Double(factor), width = 4 * Double(factor)
    func cubic(_ x: Double) -> Double {
        let a = abs(x)
        if a <= 1 { return 1.5 * a * a * a - 2.5 * a * a + 1 }
        if a <= 2 { return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2 }
        return 0
    }
    let taps = Int(width.rounded(.up)) + 2
    return (1 ... length / factor).map { x in
        let u = Double(x) / scale + 0.5 * (1 - 1 / scale)
        let left = Int((u - width / 2).rounded(.down))
        var pairs: [(Int, Double)] = []
        var total = 0.0
        for k in 0 ..< taps {
            let weight = scale * cubic(scale * (u - Double(left + k)))
            guard weight != 0 else { continue }
            // 1-based index left + k, mirrored into 1 … length (the edge sample repeated).
            var index = (left + k - 1) % (2 * length)
            if index < 0 { index += 2 * length }
            if index >= length { index = 2 * length - 1 - index }
            pairs.append((index, weight))
            total += weight
        }
        return pairs.map { ($0.0, $0.1 / total) }
    }
}

private func scoreSRMDQuality(work: String, sets: [String], scales: [Int]) throws {
    print("| set | scale | 8-bit LR: RestoreKit / ncnn | float LR: RestoreKit | published protocol: RestoreKit / ncnn "
        + "| published SRMDNF | RestoreKit − published | images |")
    print("|---|---|---|---|---|---|---|---|")
    for set in sets {
        for scale in scales {
            let folder = "\(work)/\(set)/x\(scale)"
            let ncnn = "\(work)/ncnn/\(set)/x\(scale)"
            let runs: [(String) -> String] = [{ "\(folder)/\($0)-rk-8bit.png" }, { "\(ncnn)/\($0)-8bit.png" },
                                              { "\(folder)/\($0)-rk-float.png" }, { "\(folder)/\($0)-rk-published.png" },
                                              { "\(ncnn)/\($0)-published.png" }]
            var scores = [[(Double, Double)]](repeating: [], count: runs.count)
            for path in try imagePaths("testsets/" + set) {
                let name = String(path.split(separator: "/").last!.split(separator: ".").first!)
                let truth = try ImageFile.read("\(folder)/\(name)-truth.png").image
                for (k, run) in runs.enumerated() {
                    let image = try ImageFile.read(run(name)).image
                    scores[k].append((try PSNR.measure(image, reference: truth, channels: .lumaY, crop: scale),
                                      try SSIM.measure(image, reference: truth, channels: .lumaY, crop: scale)))
                }
            }
            let cells = scores.map { "\(fixed(mean($0.map(\.0)), 2)) / \(fixed(mean($0.map(\.1)), 4))" }
            let ours = mean(scores[3].map(\.0))
            let published = publishedSRMDNF[set]?[scale]
            print("| \(set) | ×\(scale) | \(cells[0]) · \(cells[1]) | \(cells[2]) | \(cells[3]) · \(cells[4]) "
                + "| \(published.map { fixed($0, 2) } ?? "—") | \(published.map { fixed(ours - $0, 2) } ?? "—") "
                + "| \(scores[0].count) |")
        }
    }
}

/// Clipped to [0, 1] and rounded to 8-bit levels, as an image file holds it.
private func eightBitImage(_ image: Image) -> Image {
    var out = image
    for i in out.samples.indices { out.samples[i] = (min(max(out.samples[i], 0), 1) * 255).rounded() / 255 }
    return out
}
