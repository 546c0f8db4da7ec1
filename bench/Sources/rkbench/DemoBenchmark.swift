import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// `rkbench demo [IMAGE]`: the whole demo prompt ("Deblur with sigma 1.5,
/// Denoise with sigma 0.04, Dejpeg with quality 40") on a 1-megapixel photo
/// (IMAGE, default the CC0 sample enlarged to 1224 × 816 with Lanczos),
/// damaged exactly as stated, restored on 2 threads by the classic path, by
/// `auto` (what the engine picks with the learned models installed: the path
/// users get) and by each learned backend alone (the classic path filling the
/// clauses it does not serve): seconds (median of 3; also the process's CPU
/// seconds over 2, what the wall time would be on 2 idle cores at full
/// parallelism, since the bench machine is shared), PSNR/SSIM and their gain
/// over the classic path, and which restorer ran each clause. Target: auto
/// ≤ 10 s on 2 cores.
func demoBenchmark(_ arguments: [String]) throws {
    let path = arguments.first ?? "docs/samples/chelsea.png"
    let clean = try ImageFile.read(path).image.resized(width: 1224, height: 816, filter: .lanczos)
    let text = "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40"
    let degraded = try PromptDegradation.apply(try RestorationPrompt.parse(text), to: clean, seed: 1).image
    let engine = RestorationEngine(modelsDirectory: nil)
    let learned = engine.backends.map(\.name).filter { $0 != "classic" }
    let models = ["classic", "auto"] + learned

    print("## Demo prompt on 1 megapixel\n")
    print("\"\(text)\" on \(clean.width) × \(clean.height) (`\(path)` enlarged), damaged exactly as stated "
        + "(seed 1); 2 threads, median of 3 runs. Learned models installed: "
        + "\(learned.isEmpty ? "none" : learned.joined(separator: ", ")). `auto` is what users get; "
        + "a backend's own row runs it where it serves a clause and the classic path elsewhere. "
        + "Gains are over the classic row. CPU s / 2: the median run's CPU seconds (all threads) over 2. "
        + "Load average at the start: \(loadAverage()). Target: auto ≤ 10 s.\n")
    print("| path | restorer per clause (clauses: restorer, backend) | seconds | CPU s / 2 | PSNR dB | gain dB "
        + "| SSIM | SSIM gain |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("| degraded | | | | \(fixed(try PSNR.measure(degraded, reference: clean), 2)) | | "
        + "\(fixed(try SSIM.measure(degraded, reference: clean), 4)) | |")
    var classic: (psnr: Double, ssim: Double)?
    var plans: [String: String] = [:], repeats: [String] = []
    for model in models {
        var request = try RestorationRequest(restoration: text)
        request.model = model
        request.threads = 2
        // A backend whose plan is one already run (it serves no clause, or the same as auto) adds nothing.
        let plan = try engine.plan(request, for: degraded)
        let stages = plan.stages.map { "\(clauses($0.task)): \($0.restorer.name), \($0.backend)" }
            .joined(separator: "; ")
        if let same = plans[stages] {
            repeats.append("\(model) (as \(same))")
            continue
        }
        plans[stages] = model
        var result: Restoration?
        var runs: [(wall: Double, cpu: Double)] = []
        for _ in 0 ..< 3 {
            let start = now(), startCPU = processSeconds()
            result = try engine.restore(degraded, plan: plan)
            runs.append((now() - start, processSeconds() - startCPU))
        }
        let middle = runs.sorted { $0.wall < $1.wall }[runs.count / 2]
        let restored = result!
        let psnr = try PSNR.measure(restored.image, reference: clean)
        let ssim = try SSIM.measure(restored.image, reference: clean)
        let base = classic ?? (psnr, ssim)
        classic = base
        let name = model == "auto" ? "**auto**" : model
        print("| \(name) | \(stages) | \(fixed(middle.wall, 2)) | \(fixed(middle.cpu / 2, 2)) | \(fixed(psnr, 2)) | "
            + "\(signed(psnr - base.psnr, 2)) | \(fixed(ssim, 4)) | \(signed(ssim - base.ssim, 4)) |")
    }
    print()
    if !repeats.isEmpty { print("Not run again, same plan as a row above: \(repeats.joined(separator: ", ")).\n") }
}

/// `value` with `digits` decimals and an explicit sign.
private func signed(_ value: Double, _ digits: Int) -> String {
    (value > 0 ? "+" : "") + fixed(value, digits)
}

/// The prompt clauses `task` carries out ("deblur + denoise" for a joint solver).
private func clauses(_ task: RestorationTask) -> String {
    switch task {
    case .deblurDenoise: return "deblur + denoise"
    case .upsampleDenoise: return "upsample + denoise"
    default: return task.verb
    }
}

/// CPU seconds used by the process so far (all threads).
private func processSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The 1, 5 and 15 minute load averages (/proc/loadavg).
private func loadAverage() -> String {
    guard let text = try? FileIO.read("/proc/loadavg") else { return "unknown" }
    return String(decoding: text, as: UTF8.self).split(separator: " ").prefix(3).joined(separator: " ")
}
