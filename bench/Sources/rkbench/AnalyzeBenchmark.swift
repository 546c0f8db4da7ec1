// rkbench analyze: accuracy and speed of degradation analysis (Analyze/).
//
//   rkbench analyze [--limit N] [--restore N] [--tsv FILE]   report on BSDS500-test and CBSD68
//                                                 (FILE: per-image truth and estimates, SPIRE scenario)
//   rkbench analyze --calibrate [--limit N]      fit AnalysisCalibration on BSDS500-train
//
// Degradations are SPIRE's parameterised ones (PromptDegradation: Gaussian blur,
// colour Gaussian noise, JPEG 4:2:0 through libjpeg-turbo, in that order), with
// strengths drawn from SeededGenerator(seed: scenario seed + image index), so
// every run degrades every image identically. Images are rounded to 8 bits, as
// files are. Downsampling is left out: a downsampled image carries no trace of
// its factor (the factor is the caller's choice, see DegradationAnalysis.prompt).
//
// The calibration run measures with `AnalysisCalibration.raw` on BSDS500-train
// (disjoint from the test sets), fits each constant by grid search for the
// smallest mean absolute error and prints the `AnalysisCalibration.fitted`
// initialiser to paste into Sources/RestoreKitCore/Analyze/AnalysisCalibration.swift.
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// The degradations the benchmark draws.
enum AnalysisScenario: UInt64, CaseIterable {
    /// Noise σ ∈ [0.01, 0.12] alone.
    case noiseAlone = 1000
    /// Noise σ ∈ [0.01, 0.12] after blur σ ∈ [0.5, 3.0], no JPEG (calibration only).
    case noiseAndBlur = 2000
    /// Noise σ ∈ [0.01, 0.12] with blur σ ∈ [0.2, 3.0] before and JPEG q ∈ [30, 92] after.
    case noiseBlurJPEG = 3000
    /// Blur σ ∈ [0.5, 3.0] with noise σ ∈ [0, 0.02].
    case blurLowNoise = 4000
    /// JPEG q ∈ [30, 92], blur and noise each present with probability ½ (SPIRE's ranges).
    case jpegPixels = 5000
    /// SPIRE without downsampling: blur, noise and JPEG each present with probability ½.
    case spire = 6000

    func prompt(_ g: inout SeededGenerator) -> RestorationPrompt {
        func u(_ lo: Double, _ hi: Double, _ steps: Double) -> Double { (g.uniform(lo, hi) * steps).rounded() / steps }
        var p = RestorationPrompt()
        switch self {
        case .noiseAlone:
            p.denoise = .value(u(0.01, 0.12, 1000))
        case .noiseAndBlur:
            p.deblur = .value(u(0.5, 3.0, 100))
            p.denoise = .value(u(0.01, 0.12, 1000))
        case .noiseBlurJPEG:
            p.deblur = .value(u(0.2, 3.0, 100))
            p.denoise = .value(u(0.01, 0.12, 1000))
            p.dejpeg = .value(g.integer(in: 30 ... 92))
        case .blurLowNoise:
            p.deblur = .value(u(0.5, 3.0, 100))
            let noise = u(0, 0.02, 1000)
            if noise > 0 { p.denoise = .value(noise) }
        case .jpegPixels:
            if g.chance(0.5) { p.deblur = .value(u(0.2, 3.0, 100)) }
            if g.chance(0.5) { p.denoise = .value(u(0.0, 0.12, 1000)) }
            p.dejpeg = .value(g.integer(in: 30 ... 92))
        case .spire:
            if g.chance(0.5) { p.deblur = .value(u(0.2, 3.0, 100)) }
            if g.chance(0.5) { p.denoise = .value(u(0.0, 0.12, 1000)) }
            if g.chance(0.5) { p.dejpeg = .value(g.integer(in: 30 ... 92)) }
        }
        return p
    }
}

/// A clean image degraded as `truth` states, rounded to 8 bits.
func degradedCase(_ clean: Image, _ scenario: AnalysisScenario, index: Int) throws -> (Image, RestorationPrompt) {
    var g = SeededGenerator(seed: scenario.rawValue + UInt64(index))
    let truth = scenario.prompt(&g)
    let degraded = try PromptDegradation.apply(truth, to: clean, seed: g.next()).image
    let bytes = degraded.interleaved8()
    let eight = try bytes.withUnsafeBufferPointer {
        try Image(interleaved8: $0, width: degraded.width, height: degraded.height, layout: degraded.layout)
    }
    return (eight, truth)
}

/// The clean images of a data folder, colour channels only.
func cleanImages(_ folder: String, limit: Int) throws -> [Image] {
    try imagePaths(folder).prefix(limit).map { try ImageFile.read($0).image.colorOnly }
}

func analyzeBenchmark(_ arguments: [String]) throws {
    var calibrate = false, limit = Int.max, restoreCount = 20
    var tsv: String?
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--calibrate": calibrate = true; i -= 1
        case "--limit": limit = Int(value) ?? limit
        case "--restore": restoreCount = Int(value) ?? restoreCount
        case "--tsv": tsv = value
        default: throw RestoreError(.invalidArgument, "rkbench analyze: unknown option '\(arguments[i])'")
        }
        i += 2
    }
    if calibrate {
        try calibrateAnalysis(try cleanImages("train/BSDS500-train", limit: limit), tsv: tsv)
        return
    }
    print("## Degradation analysis\n")
    print("Analyser: `DegradationAnalyzer()` with `AnalysisCalibration.fitted` (fitted on BSDS500-train by "
        + "`bench/analyze.sh --calibrate`); \(ProcessorInfo.coreCount) threads. SPIRE-parameterised "
        + "degradations with fixed seeds, rounded to 8 bits.\n")
    var results: [(set: String, report: AnalysisReport)] = []
    for set in ["train/BSDS500-test", "testsets/CBSD68"] {
        let images = try cleanImages(set, limit: limit)
        results.append((set, try AnalysisReport(images)))
    }
    AnalysisReport.printTable(results)
    if let tsv {
        let header = "set\tblur\tnoise\tquality\tblur_est\tblur_conf\tedges\tnoise_est\tquality_est\n"
        let body = results.flatMap { result in result.report.rows.map { result.set + "\t" + $0 + "\n" } }.joined()
        try FileIO.writeAtomically(Array((header + body).utf8), to: tsv)
    }
    if restoreCount > 0 { try restorationComparison(try cleanImages("testsets/CBSD68", limit: .max), count: restoreCount) }
    try analysisTiming()
}

/// The accuracy figures of one test set.
struct AnalysisReport {
    var images = 0
    var noiseAlone: [Double] = []        // |σ̂ − σ|
    var noiseMixed: [Double] = []
    var blur: [Double] = []
    var jpegFileExact = 0, jpegFiles = 0
    var jpegPixels: [Double] = []        // |q̂ − q|, a missed JPEG counting as quality 100
    var jpegMissed = 0
    var levelHits = [0, 0, 0], levelCases = 0
    var seconds: [Double] = []
    /// Per-image rows of the SPIRE scenario: truth and estimates (for `--tsv`).
    var rows: [String] = []

    init(_ images: [Image]) throws {
        self.images = images.count
        let analyzer = DegradationAnalyzer()
        for (index, clean) in images.enumerated() {
            func analysed(_ scenario: AnalysisScenario) throws -> (DegradationAnalysis, RestorationPrompt) {
                let (image, truth) = try degradedCase(clean, scenario, index: index)
                let start = now()
                let analysis = analyzer.analyze(image)
                seconds.append(now() - start)
                return (analysis, truth)
            }
            var (a, t) = try analysed(.noiseAlone)
            noiseAlone.append(abs(a.noise.sigma - t.denoise!.value!))
            (a, t) = try analysed(.noiseBlurJPEG)
            noiseMixed.append(abs(a.noise.sigma - t.denoise!.value!))
            (a, t) = try analysed(.blurLowNoise)
            blur.append(abs(a.blur.sigma - t.deblur!.value!))
            (a, t) = try analysed(.jpegPixels)
            let q = t.dejpeg!.value!
            jpegPixels.append(Double(abs((a.jpeg.quality ?? 100) - q)))
            if a.jpeg.quality == nil { jpegMissed += 1 }
            (a, t) = try analysed(.spire)
            let truth = DegradationLevels(blurSigma: t.deblur?.value ?? 0, noiseSigma: t.denoise?.value ?? 0,
                                          jpegQuality: t.dejpeg?.value)
            let found = a.levels
            rows.append([t.deblur?.value ?? 0, t.denoise?.value ?? 0, Double(t.dejpeg?.value ?? 0),
                         a.blur.sigma, a.blur.confidence, Double(a.blur.edges), a.noise.sigma,
                         Double(a.jpeg.quality ?? 0)].map { fixed($0, 4) }.joined(separator: "\t"))
            levelCases += 1
            if found.blur == truth.blur { levelHits[0] += 1 }
            if found.noise == truth.noise { levelHits[1] += 1 }
            if found.jpeg == truth.jpeg { levelHits[2] += 1 }

            // Files written by libjpeg-turbo: every quality 1–100 and each chroma layout in turn.
            for (n, chroma) in ChromaSubsampling.allCases.enumerated() {
                let quality = 1 + (index * 37 + n * 13) % 100
                let source = n == 2 ? try grayVersion(clean) : clean
                let bytes = try JPEGCodec.encode(source, quality: quality, chroma: chroma)
                let decoded = try ImageFile.decode(bytes)
                let estimate = analyzer.analyze(decoded.image, jpeg: decoded.jpeg).jpeg
                jpegFiles += 1
                if estimate.quality == quality && estimate.exact { jpegFileExact += 1 }
            }
        }
    }

    static func printTable(_ results: [(set: String, report: AnalysisReport)]) {
        let names = results.map { $0.set.split(separator: "/").last.map(String.init) ?? $0.set }
        print("| measure | target | " + names.joined(separator: " | ") + " |")
        print("|---|---|" + String(repeating: "---:|", count: results.count))
        func row(_ name: String, _ target: String, _ value: (AnalysisReport) -> String) {
            print("| \(name) | \(target) | " + results.map { value($0.report) }.joined(separator: " | ") + " |")
        }
        row("images", "") { "\($0.images)" }
        row("noise σ MAE, σ ∈ [0.01, 0.12] alone", "≤ 0.004") { fixed(mean($0.noiseAlone), 4) }
        row("noise σ MAE, with blur σ ∈ [0.2, 3] and JPEG q ∈ [30, 92]", "≤ 0.008") { fixed(mean($0.noiseMixed), 4) }
        row("blur σ MAE, σ ∈ [0.5, 3.0], noise ≤ 0.02", "≤ 0.25") { fixed(mean($0.blur), 3) }
        row("JPEG quality exact from libjpeg-turbo files (q 1–100; 4:2:0, 4:4:4, gray)", "all") {
            "\($0.jpegFileExact) / \($0.jpegFiles)"
        }
        row("JPEG quality MAE from pixels, q ∈ [30, 92] (SPIRE blur/noise ½ each)", "≤ 6") {
            fixed(mean($0.jpegPixels), 2) + ($0.jpegMissed > 0 ? " (\($0.jpegMissed) missed)" : "")
        }
        for (k, name) in ["blur", "noise", "JPEG"].enumerated() {
            row("DaLPSR 4-level accuracy, \(name) (SPIRE, stages ½ each)", "≥ 0.85") {
                fixed(Double($0.levelHits[k]) / Double(max($0.levelCases, 1)), 3)
            }
        }
        row("analysis time per image, median (ms)", "") { fixed(median($0.seconds) * 1000, 1) }
        print()
    }
}

/// The luma of `image` as a gray image (for gray JPEG files).
func grayVersion(_ image: Image) throws -> Image {
    let n = image.planeCount
    var gray = [Float](repeating: 0, count: n)
    for i in 0 ..< n {
        gray[i] = 0.299 * image.samples[i] + 0.587 * image.samples[n + i] + 0.114 * image.samples[2 * n + i]
    }
    return try Image(width: image.width, height: image.height, layout: .gray, samples: gray)
}

/// Restoring with the analysed prompt against restoring with the true one, on
/// the first `count` images whose SPIRE draw damaged them (an undamaged one has
/// nothing to compare: its true restoration is the identity, of infinite PSNR).
func restorationComparison(_ images: [Image], count: Int) throws {
    let engine = RestorationEngine()
    var degraded: [Double] = [], withTruth: [Double] = [], withAnalysis: [Double] = []
    var rows: [String] = [], undamaged: [String] = []
    for (index, clean) in images.enumerated() where degraded.count < count {
        let (image, truth) = try degradedCase(clean, .spire, index: index)
        let restoredAnalysed = try engine.restore(image, request: RestorationRequest())
        let analysed = restoredAnalysed.plan.prompt.description
        guard !truth.isEmpty else {
            undamaged.append("\(index + 1): \(analysed.isEmpty ? "(none)" : analysed), "
                + "\(fixed(try PSNR.measure(restoredAnalysed.image, reference: clean), 2)) dB")
            continue
        }
        let restoredTrue = try engine.restore(image, request: RestorationRequest(restoration: truth.description))
        degraded.append(try PSNR.measure(image, reference: clean))
        withTruth.append(try PSNR.measure(restoredTrue.image, reference: clean))
        withAnalysis.append(try PSNR.measure(restoredAnalysed.image, reference: clean))
        rows.append("| \(index + 1) | \(truth) | \(fixed(withTruth.last!, 2)) | \(analysed.isEmpty ? "(none)" : analysed) | "
            + "\(fixed(withAnalysis.last!, 2)) |")
    }
    print("### Restoring with the analysed prompt\n")
    print("The first \(degraded.count) CBSD68 images a SPIRE draw damaged (stages ½ each, no downsampling), "
        + "`RestorationEngine().restore` (classic restorers) with the true prompt and with the empty prompt "
        + "(analysed). Mean RGB PSNR (dB).\n")
    print("| input | true prompt | analysed prompt | difference (target ≥ −0.5) |")
    print("|---:|---:|---:|---:|")
    print("| \(fixed(mean(degraded), 2)) | \(fixed(mean(withTruth), 2)) | \(fixed(mean(withAnalysis), 2)) | "
        + "\(fixed(mean(withAnalysis) - mean(withTruth), 2)) |\n")
    print("| image | true prompt | dB | analysed prompt | dB |")
    print("|---:|---|---:|---|---:|")
    for line in rows { print(line) }
    if !undamaged.isEmpty {
        print("\nUndamaged draws (left out above; analysed prompt, PSNR of its restoration against the original): "
            + undamaged.joined(separator: "; ") + ".")
    }
    print()
}

/// Seconds per megapixel of a whole analysis, on a 1-megapixel photograph.
func analysisTiming() throws {
    let source = try ImageFile.read(try imagePaths("testsets/CBSD68")[0]).image.colorOnly
    let large = try source.resized(width: 1224, height: 816, filter: .bicubic)
    let megapixels = Double(large.planeCount) / 1e6
    let analyzer = DegradationAnalyzer()
    print("### Analysis time\n")
    print("\(large.width) × \(large.height) (\(fixed(megapixels, 2)) MP), median of 5 runs, "
        + "\(ProcessorInfo.coreCount) threads.\n")
    print("| input | s | s per MP (target ≤ 0.5) |")
    print("|---|---:|---:|")
    for (name, text) in [("noise and blur (no JPEG)", "Deblur with sigma 1.0, Denoise with sigma 0.03"),
                         ("noise, blur and JPEG q 60", "Deblur with sigma 1.0, Denoise with sigma 0.03, Dejpeg with quality 60")] {
        let image = try PromptDegradation.apply(try RestorationPrompt.parse(text), to: large, seed: 1).image
        let seconds = median(timeRuns(5) { _ = analyzer.analyze(image) })
        print("| \(name) | \(fixed(seconds, 3)) | \(fixed(seconds / megapixels, 3)) |")
    }
    print()
}

/// Fits `AnalysisCalibration` on `images` and prints it as Swift.
func calibrateAnalysis(_ images: [Image], tsv: String?) throws {
    let analyzer = DegradationAnalyzer(calibration: .raw)
    var noise: [(truth: Double, raw: Double)] = [], jpegNoise: [(truth: Double, raw: Double)] = []
    var blur: [(truth: Double, width: Double, smoothing: Double)] = []
    var dump = "scenario\tblur\tnoise\tquality\tblur_raw\tsmoothing\tnoise_raw\tquality_est\n"
    for (index, clean) in images.enumerated() {
        for scenario in [AnalysisScenario.noiseAlone, .noiseAndBlur, .noiseBlurJPEG, .blurLowNoise, .spire] {
            let (image, truth) = try degradedCase(clean, scenario, index: index)
            let analysis = analyzer.analyze(image)
            dump += "\(scenario)\t" + [truth.deblur?.value ?? 0, truth.denoise?.value ?? 0,
                                        Double(truth.dejpeg?.value ?? 0), analysis.blur.sigma, analysis.blur.smoothing, analysis.noise.sigma,
                                        Double(analysis.jpeg.quality ?? 0)].map { fixed($0, 4) }.joined(separator: "\t") + "\n"
            switch scenario {
            case .noiseAlone, .noiseAndBlur: noise.append((truth.denoise!.value!, analysis.noise.sigma))
            case .noiseBlurJPEG:
                if analysis.jpeg.quality != nil { jpegNoise.append((truth.denoise!.value!, analysis.noise.sigma)) }
            // Blur is fitted where the target is stated and where the prompt meets it: SPIRE's mixtures.
            case .blurLowNoise, .spire:
                blur.append((truth.deblur?.value ?? 0, analysis.blur.sigma, analysis.blur.smoothing))
            default: break
            }
        }
    }
    if let tsv { try FileIO.writeAtomically(Array(dump.utf8), to: tsv) }
    func fit(_ pairs: [(truth: Double, raw: Double)], gains: [Double], offsets: [Double],
             _ model: (Double, Double, Double) -> Double) -> (Double, Double, Double) {
        var best = (gains[0], offsets[0], Double.infinity)
        for g in gains {
            for o in offsets {
                let error = pairs.reduce(0) { $0 + abs(model($1.raw, g, o) - $1.truth) } / Double(pairs.count)
                if error < best.2 { best = (g, o, error) }
            }
        }
        return best
    }
    let grid = { (lo: Double, hi: Double, step: Double) in
        (0 ... Int(((hi - lo) / step).rounded())).map { lo + Double($0) * step }
    }
    let n = fit(noise, gains: grid(0.9, 1.1, 0.0005), offsets: grid(0, 0.01, 0.0002)) { raw, g, f in
        max(0, g * g * raw * raw - f * f).squareRoot()
    }
    let j = fit(jpegNoise, gains: grid(0.8, 1.3, 0.0005), offsets: [0]) { raw, g, _ in g * raw }
    var b = (gain: 1.0, intrinsic: 0.0, share: 1.0, error: Double.infinity)
    for gain in grid(0.7, 1.5, 0.01) {
        for intrinsic in grid(-0.5, 1.5, 0.02) {
            for share in grid(0, 1.5, 0.05) {
                let error = blur.reduce(0) { sum, c in
                    sum + abs(max(0, gain * c.width * c.width - intrinsic - share * c.smoothing * c.smoothing)
                        .squareRoot() - c.truth)
                } / Double(blur.count)
                if error < b.error { b = (gain, intrinsic, share, error) }
            }
        }
    }
    func text(_ x: Double) -> String { fixed(x, 4) }
    print("// \(images.count) BSDS500-train images; mean absolute errors after the fit: noise \(fixed(n.2, 5)) "
        + "(\(noise.count) cases), noise through JPEG \(fixed(j.2, 5)) (\(jpegNoise.count)), "
        + "blur \(fixed(b.error, 4)) (\(blur.count))")
    print("public static let fitted = AnalysisCalibration(noiseGain: \(text(n.0)), noiseFloor: \(text(n.1)), "
        + "jpegNoiseGain: \(text(j.0)),\n                                               "
        + "blurGain: \(text(b.gain)), blurIntrinsic: \(text(b.intrinsic)), blurSmoothingShare: \(text(b.share)))")
}
