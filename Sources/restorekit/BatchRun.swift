import RestoreKitCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
