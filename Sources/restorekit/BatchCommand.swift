import ArgumentParser
import RestoreKitCore
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
