import ArgumentParser
import RestoreKitCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Restore a folder or a manifest of images; resumable, and shardable across machines.",
        discussion: """
            IN is a folder (searched recursively for .png, .jpg and .jpeg files; hidden ones are skipped) \
            or a manifest: CSV with a header row, or JSON Lines, naming input, optionally output (relative \
            to OUT) and any of restoration, semantic, quality-prompt, negative-prompt, model, strength, \
            steps, guidance, seed, tile-size, depth, jpeg-quality for that image alone. Each output goes \
            to OUT/<the input's relative path>, byte for byte what 'restorekit restore' writes.

            OUT/.restorekit-batch-I-of-N.jsonl records every finished output with its input's SHA-256 and \
            the settings that made it: a rerun skips those, redoes what changed or went missing and \
            retries what failed. OUT/restorekit-batch-I-of-N.log.jsonl has one line per image of the \
            latest run. The exit status is 1 when any image failed.

            --shard I/N takes every N-th image of the sorted list, starting at the I-th: N processes \
            (e.g. a Slurm job array, scripts/slurm-restore) share a batch with no coordination.
            """)

    @Argument(help: "A folder of images, or a manifest (.csv, .jsonl).")
    var input: String
    @Argument(help: "The output folder (created if missing).")
    var output: String
    @OptionGroup var options: RestoreOptions
    @Option(help: "Images restored at once; each gets cores ÷ jobs threads unless --threads says otherwise.")
    var jobs = 1
    @Option(help: "I/N: restore only the I-th of N parts (0 ≤ I < N).")
    var shard = "0/1"
    @Option(help: "Output format: same (the input's extension), png or jpg.")
    var format = "same"
    @Flag(name: .customLong("dry-run"), help: "Check the arguments and list this shard's images (input, output); write nothing.")
    var dryRun = false

    func run() throws {
        try reportingErrors {
            let shard = try BatchShard(parsing: shard)
            guard (1 ... 256).contains(jobs) else {
                throw RestoreError(.invalidArgument, "--jobs must be 1–256, not \(jobs)")
            }
            guard ["same", "png", "jpg", "jpeg"].contains(format) else {
                throw RestoreError(.invalidArgument, "--format must be same, png or jpg, not '\(format)'")
            }
            _ = try options.request()
            let all = try BatchPlan.items(input: input, output: output, options: options,
                                          format: format == "same" ? nil : format)
            let mine = shard.select(all) { $0.output }
            if dryRun {
                for job in mine { print("\(job.input)\t\(job.output)") }
                return
            }
            let outcome = try BatchRun(folder: output, shard: shard, jobs: jobs, quiet: options.quiet,
                                       total: all.count).run(mine)
            if outcome.interrupted { throw ExitCode(130) }
            if outcome.failed > 0 { throw ExitCode.failure }
        }
    }
}

/// One image of a batch with its settings resolved.
struct BatchJob: Sendable {
    let input: String
    let output: String
    let request: RestorationRequest
    let options: RestoreOptions
    let key: [String: String]
}

extension RestoreOptions: @unchecked Sendable {}

enum BatchPlan {
    /// Every image of the batch, its settings checked (errors name the manifest line).
    static func items(input: String, output: String, options: RestoreOptions, format: String?) throws -> [BatchJob] {
        var status = stat()
        guard stat(input, &status) == 0 else {
            throw RestoreError(.io, "cannot open '\(input)': \(String(cString: strerror(errno)))")
        }
        var outStatus = stat()
        if stat(output, &outStatus) == 0, (outStatus.st_mode & S_IFMT) != S_IFDIR {
            throw RestoreError(.io, "'\(output)' is not a folder")
        }
        var items: [BatchItem]
        var base = ""
        var source = input
        if (status.st_mode & S_IFMT) == S_IFDIR {
            let skip = stat(output, &outStatus) == 0 ? (outStatus.st_dev, outStatus.st_ino) : nil
            items = try FolderWalk.images(in: input, skipping: skip).map {
                BatchItem(input: input + "/" + $0, output: $0)
            }
            source = "'\(input)'"
        } else {
            guard BatchManifest.isManifest(input) else {
                throw RestoreError(.invalidArgument,
                                   "'\(input)' is neither a folder nor a manifest (.csv, .jsonl)")
            }
            items = try BatchManifest.parse(try FileIO.read(input), name: input)
            if let slash = input.lastIndex(of: "/") { base = String(input[...slash]) }
        }
        var jobs: [BatchJob] = []
        var byOutput: [String: String] = [:]
        for var item in items {
            let at = item.line > 0 ? "\(input):\(item.line): " : ""
            if let format { item.output = replacingExtension(item.output, with: format) }
            if let other = byOutput[item.output] {
                throw RestoreError(.invalidArgument, "\(at)'\(other)' and '\(item.input)' would both be "
                                   + "written to '\(item.output)'")
            }
            byOutput[item.output] = item.input
            var settings = options
            do {
                for name in item.overrides.keys.sorted() { try settings.set(name, to: item.overrides[name]!) }
                let request = try settings.request()
                try settings.checkOutput(item.output)
                let path = item.input.hasPrefix("/") || item.line == 0 ? item.input : base + item.input
                jobs.append(BatchJob(input: path, output: item.output, request: request, options: settings,
                                     key: settings.requestKey))
            } catch let error as RestoreError {
                throw RestoreError(error.kind, at + error.message)
            }
        }
        guard !jobs.isEmpty else {
            throw RestoreError(.invalidArgument, "\(source) holds no images (.png, .jpg, .jpeg)")
        }
        return jobs
    }

    static func replacingExtension(_ path: String, with ext: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path + "." + ext }
        return String(path[..<dot]) + "." + ext
    }
}

/// Image files under a folder, recursively, as sorted relative paths.
enum FolderWalk {
    static let extensions = ["png", "jpg", "jpeg"]

    static func images(in root: String, skipping skip: (dev_t, ino_t)?) throws -> [String] {
        var found: [String] = []
        try walk(root, relative: "", skip: skip, into: &found, depth: 0)
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func walk(_ folder: String, relative: String, skip: (dev_t, ino_t)?,
                             into found: inout [String], depth: Int) throws {
        guard depth < 64 else { throw RestoreError(.io, "'\(folder)' is nested more than 64 folders deep") }
        guard let dir = opendir(folder) else {
            throw RestoreError(.io, "cannot read folder '\(folder)': \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let path = folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                if let skip, status.st_dev == skip.0, status.st_ino == skip.1 { continue }
                try walk(path, relative: rel, skip: skip, into: &found, depth: depth + 1)
            case S_IFREG, S_IFLNK:
                let lower = name.lowercased()
                if extensions.contains(where: { lower.hasSuffix("." + $0) }) { found.append(rel) }
            default:
                continue
            }
        }
    }
}

/// Runs a shard's images in the output folder: the record, the log, the workers, progress.
final class BatchRun: @unchecked Sendable {
    struct Outcome { var done = 0, skipped = 0, failed = 0, interrupted = false }

    let folder: String
    let shard: BatchShard
    let jobs: Int
    let quiet: Bool
    let total: Int

    private let state = Mutex(State())
    private struct State {
        var next = 0
        var finished = 0
        var worked = 0
        var outcome = Outcome()
    }
    private var recordFD: Int32 = -1
    private var logFD: Int32 = -1
    private var ledger = BatchLedger()
    private var items: [BatchJob] = []
    private var start = 0.0
    private let tty = isatty(2) != 0

    init(folder: String, shard: BatchShard, jobs: Int, quiet: Bool, total: Int) {
        self.folder = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        self.shard = shard
        self.jobs = jobs
        self.quiet = quiet
        self.total = total
    }

    func run(_ items: [BatchJob]) throws -> Outcome {
        self.items = items
        try makeFolders(folder)
        let recordPath = folder + "/" + shard.recordName
        recordFD = open(recordPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard recordFD >= 0 else {
            throw RestoreError(.io, "cannot write '\(recordPath)': \(String(cString: strerror(errno)))")
        }
        defer { close(recordFD) }
        guard flock(recordFD, LOCK_EX | LOCK_NB) == 0 else {
            throw RestoreError(.io, "shard \(shard) of '\(folder)' is being run by another process "
                               + "(it holds '\(recordPath)')")
        }
        ledger = BatchLedger(readRecords())
        let removed = removeTemporaryFiles()
        let logPath = folder + "/" + shard.logName
        logFD = open(logPath, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0o644)
        guard logFD >= 0 else {
            throw RestoreError(.io, "cannot write '\(logPath)': \(String(cString: strerror(errno)))")
        }
        defer { close(logFD) }
        if !quiet {
            let part = shard.count > 1 ? "shard \(shard): \(items.count) of \(total) images" : "\(items.count) images"
            printError("restorekit: batch \(part) into \(folder), \(jobs) at a time"
                       + (removed > 0 ? "; removed \(removed) partial file\(removed == 1 ? "" : "s") of an interrupted run" : ""))
        }
        start = monotonicSeconds()
        signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in interrupted.store(true, ordering: .relaxed) }
        let cores = ProcessorInfo.usableCores
        let threadsEach = max(1, cores / max(1, min(jobs, items.count)))
        runThreads(min(jobs, max(1, items.count))) { _ in
            let engine = RestorationEngine(modelsDirectory: nil)
            while let index = self.take() { self.process(self.items[index], engine: engine, threads: threadsEach) }
        }
        if tty && !quiet { writeError("\r\u{1B}[K") }
        var outcome = state.withLock { $0.outcome }
        outcome.interrupted = interrupted.load(ordering: .relaxed)
        let seconds = monotonicSeconds() - start
        let what = "\(outcome.done) restored, \(outcome.skipped) already done, \(outcome.failed) failed"
        let rest = items.count - outcome.done - outcome.skipped - outcome.failed
        if !quiet || outcome.failed > 0 || outcome.interrupted { printError("restorekit: batch \(shard): \(what)" + (rest > 0 ? ", \(rest) not finished (interrupted)" : "")
                   + " in \(clock(seconds)); log \(logPath)") }
        return outcome
    }

    private func take() -> Int? {
        guard !interrupted.load(ordering: .relaxed) else { return nil }
        return state.withLock { s in
            guard s.next < items.count else { return nil }
            defer { s.next += 1 }
            return s.next
        }
    }

    private func process(_ job: BatchJob, engine: RestorationEngine, threads: Int) {
        let path = folder + "/" + job.output
        let begin = monotonicSeconds()
        var record = BatchRecord(output: job.output, input: job.input, status: .failed, request: job.key,
                                 shard: shard.description)
        do {
            let bytes = try FileIO.read(job.input)
            record.inputSHA256 = SHA256.hex(bytes)
            let existing = (try? FileIO.read(path)).map(SHA256.hex)
            if ledger.isFinished(output: job.output, inputSHA256: record.inputSHA256, request: job.key,
                                 outputSHA256: existing) {
                let earlier = ledger.record(of: job.output)!
                record.status = .skipped
                record.outputSHA256 = existing!
                record.prompt = earlier.prompt
                record.restorers = earlier.restorers
                finish(record, wrote: false)
                return
            }
            var request = job.request
            if request.threads == 0 { request.threads = threads }
            if let slash = job.output.lastIndex(of: "/") { try makeFolders(folder + "/" + job.output[..<slash]) }
            try FileIO.checkWritable(path)
            let restored = try ImageRestoration(
                bytes: bytes, input: job.input, output: path, request: request, options: job.options,
                engine: engine,
                progress: { _, _ in interrupted.load(ordering: .relaxed) ? .cancel : .proceed })
            try FileIO.writeAtomically(restored.encoded, to: path)
            record.status = .done
            record.outputSHA256 = SHA256.hex(restored.encoded)
            record.prompt = restored.plan.prompt.description
            record.restorers = restored.plan.stages.map(\.label)
        } catch let error as RestoreError {
            if error.kind == .cancelled && interrupted.load(ordering: .relaxed) { return }
            record.error = error.message
        } catch {
            record.error = "\(error)"
        }
        record.seconds = monotonicSeconds() - begin
        if record.status == .failed, ledger.record(of: job.output) != nil {
            unlink(path)  // an earlier run's output of another input or request: not a finished output now
        }
        finish(record, wrote: true)
    }

    /// Writes `record` to the log (and the record when work was done) and reports progress.
    private func finish(_ record: BatchRecord, wrote: Bool) {
        var record = record
        record.time = wallSeconds()
        let line = Array(record.jsonLine.utf8)
        state.withLock { s in
            if wrote { append(line, to: recordFD) }
            append(line, to: logFD)
            s.finished += 1
            switch record.status {
            case .done: s.outcome.done += 1
            case .skipped: s.outcome.skipped += 1
            case .failed: s.outcome.failed += 1
            }
            if wrote { s.worked += 1 }
            report(record, s)
        }
    }

    private func report(_ record: BatchRecord, _ s: State) {
        let count = "[\(s.finished)/\(items.count)]"
        let elapsed = monotonicSeconds() - start
        let left = items.count - s.finished
        // Time left from the images actually restored so far (skipped ones cost almost nothing).
        let eta = s.worked > 0 && left > 0 ? ", \(clock(elapsed / Double(s.worked) * Double(left))) left" : ""
        let erase = tty ? "\r\u{1B}[K" : ""
        if record.status == .failed {
            printError(erase + "restorekit: \(count) \(record.output): FAILED: \(record.error)")
        } else if !quiet && !tty && record.status == .done {
            printError("restorekit: \(count) \(record.output) (\(clock(record.seconds, tenths: true)))\(eta)")
        }
        if !quiet && tty {
            let failed = s.outcome.failed > 0 ? ", \(s.outcome.failed) failed" : ""
            writeError("\r\u{1B}[Kbatch \(count) \(s.finished * 100 / max(1, items.count))%\(failed)\(eta)")
        }
    }

    private func append(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// Every record file in the output folder: this shard's and those of other shard counts.
    private func readRecords() -> [BatchRecord] {
        guard let dir = opendir(folder) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".restorekit-batch-") && name.hasSuffix(".jsonl") { names.append(name) }
        }
        closedir(dir)
        return names.sorted().flatMap { BatchRecord.parseLines((try? FileIO.read(folder + "/" + $0)) ?? []) }
    }

    /// Removes the temporary files an interrupted atomic write of this shard's outputs left behind.
    private func removeTemporaryFiles() -> Int {
        var byFolder: [String: Set<String>] = [:]
        for job in items {
            let slash = job.output.lastIndex(of: "/")
            let sub = slash.map { folder + "/" + job.output[..<$0] } ?? folder
            byFolder[sub, default: []].insert(BatchPaths.lastComponent(job.output))
        }
        var removed = 0
        for (sub, names) in byFolder {
            guard let dir = opendir(sub) else { continue }
            var doomed: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if let target = BatchPaths.temporaryTarget(of: name), names.contains(target) { doomed.append(name) }
            }
            closedir(dir)
            for name in doomed where unlink(sub + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }
}

/// Creates `path` and its missing parents.
func makeFolders<S: StringProtocol>(_ path: S) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        prefix += part + "/"
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw RestoreError(.io, "cannot create folder '\(prefix)': \(String(cString: strerror(errno)))")
        }
    }
    var status = stat()
    guard stat(String(path), &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
        throw RestoreError(.io, "'\(path)' is not a folder")
    }
}

/// Seconds since 1970.
func wallSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// "m:ss" (or "s.t s" with `tenths`).
func clock(_ seconds: Double, tenths: Bool = false) -> String {
    if tenths && seconds < 60 { return String(Double(Int((seconds * 10).rounded())) / 10) + " s" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600):" + (s / 60 % 60 < 10 ? "0" : "") + "\(s / 60 % 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
                     : "\(s / 60):" + (s % 60 < 10 ? "0" : "") + "\(s % 60)"
}

/// Runs `body(i)` on `count` threads and waits for all of them.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Box: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
    }
    if count <= 1 { body(0); return }
    var threads: [pthread_t] = []
    for i in 0 ..< count {
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
        let rc = pthread_create(&thread, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body(box.index)
            return nil
        }, box)
        pthread_attr_destroy(&attributes)
        if rc == 0 {
            threads.append(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).release()
            body(i)
        }
    }
    for thread in threads { pthread_join(thread, nil) }
}

extension ProcessorInfo {
    /// The cores this process may run on, at least 1: its CPU affinity, and
    /// inside a Slurm job the CPUs allocated to the task.
    static var usableCores: Int {
        for name in ["SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE"] {
            if let value = getenv(name).flatMap({ Int(String(cString: $0)) }), value > 0 {
                return min(value, affinityCores)
            }
        }
        return affinityCores
    }

    private static var affinityCores: Int {
        // Cpus_allowed: the affinity mask in hexadecimal, in groups of 8 digits.
        if let text = try? FileIO.read("/proc/self/status"),
           let line = String(decoding: text, as: UTF8.self).split(separator: "\n")
               .first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let n = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, c in
                count + (c.hexDigitValue.map { $0.nonzeroBitCount } ?? 0)
            }
            if n > 0 { return min(n, coreCount) }
        }
        return coreCount
    }
}
