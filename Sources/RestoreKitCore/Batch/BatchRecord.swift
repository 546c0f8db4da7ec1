/// One line of a batch's record and log (JSON Lines): what became of one
/// image. The record (`.restorekit-batch-I-of-N.jsonl` in the output folder)
/// gains a line whenever an image is finished or fails; the log
/// (`restorekit-batch-I-of-N.log.jsonl`) holds one line per image of the
/// latest run, skipped ones included.
public struct BatchRecord: Sendable, Hashable {
    public enum Status: String, Sendable {
        /// Restored and written in this run.
        case done
        /// Already finished by an earlier run with the same input and request.
        case skipped
        /// Could not be read, restored or written; `error` says why.
        case failed
    }

    /// The output path relative to the output folder.
    public var output: String
    /// The input path.
    public var input: String
    public var status: Status
    /// The SHA-256 of the input file's bytes (empty when it could not be read).
    public var inputSHA256: String
    /// The SHA-256 of the output file's bytes (done and skipped only).
    public var outputSHA256: String
    /// Every setting that decides the output's bytes, by name (`--threads` and `--jobs` are not among them).
    public var request: [String: String]
    /// The restoration prompt carried out (analysis fills in an empty one).
    public var prompt: String
    /// The restorers that ran, e.g. "denoise (BM3D, classic)".
    public var restorers: [String]
    /// Seconds spent on this image (0 for skipped).
    public var seconds: Double
    /// Why it failed.
    public var error: String
    /// Wall-clock time the line was written, seconds since 1970 (the latest line of an output wins).
    public var time: Double
    /// The shard that wrote it, "I/N".
    public var shard: String

    public init(output: String, input: String, status: Status, inputSHA256: String = "", outputSHA256: String = "",
                request: [String: String] = [:], prompt: String = "", restorers: [String] = [], seconds: Double = 0,
                error: String = "", time: Double = 0, shard: String = "0/1") {
        self.output = output
        self.input = input
        self.status = status
        self.inputSHA256 = inputSHA256
        self.outputSHA256 = outputSHA256
        self.request = request
        self.prompt = prompt
        self.restorers = restorers
        self.seconds = seconds
        self.error = error
        self.time = time
        self.shard = shard
    }

    /// The record as one line of JSON, newline included; keys in a fixed order.
    public var jsonLine: String {
        var s = "{\"output\":\(output.jsonQuoted),\"input\":\(input.jsonQuoted),\"status\":\"\(status.rawValue)\""
        s += ",\"seconds\":\(Self.format(seconds))"
        s += ",\"prompt\":\(prompt.jsonQuoted)"
        s += ",\"restorers\":[" + restorers.map(\.jsonQuoted).joined(separator: ",") + "]"
        if !error.isEmpty { s += ",\"error\":\(error.jsonQuoted)" }
        s += ",\"input_sha256\":\(inputSHA256.jsonQuoted)"
        if !outputSHA256.isEmpty { s += ",\"output_sha256\":\(outputSHA256.jsonQuoted)" }
        s += ",\"request\":{" + request.keys.sorted().map { "\($0.jsonQuoted):\(request[$0]!.jsonQuoted)" }
            .joined(separator: ",") + "}"
        s += ",\"time\":\(Self.format(time)),\"shard\":\(shard.jsonQuoted)}\n"
        return s
    }

    private static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let millis = (v * 1000).rounded() / 1000
        return millis == millis.rounded() && abs(millis) < 1e15 ? String(Int64(millis)) : String(millis)
    }

    /// The record a JSON line holds, or nil for a line that is not one (a line
    /// cut short by a killed process, or anything else).
    public init?(jsonLine bytes: some Collection<UInt8>) {
        guard let value = try? JSONValue.parse(Array(bytes)), let o = value.object,
              let output = o["output"]?.string, let input = o["input"]?.string,
              let status = o["status"]?.string.flatMap(Status.init(rawValue:)) else { return nil }
        var request: [String: String] = [:]
        for (key, v) in o["request"]?.object ?? [:] {
            guard let text = v.string else { return nil }
            request[key] = text
        }
        self.init(output: output, input: input, status: status,
                  inputSHA256: o["input_sha256"]?.string ?? "", outputSHA256: o["output_sha256"]?.string ?? "",
                  request: request, prompt: o["prompt"]?.string ?? "",
                  restorers: (o["restorers"]?.array ?? []).compactMap(\.string),
                  seconds: o["seconds"]?.double ?? 0, error: o["error"]?.string ?? "",
                  time: o["time"]?.double ?? 0, shard: o["shard"]?.string ?? "")
    }

    /// Every well-formed record in a JSON Lines file's bytes, in order.
    public static func parseLines(_ bytes: [UInt8]) -> [BatchRecord] {
        bytes.split(separator: 10).compactMap { BatchRecord(jsonLine: $0) }
    }
}

/// What earlier runs finished: the latest record of each output, from any
/// number of record files (several shards, or a different shard count before).
public struct BatchLedger: Sendable {
    private var latest: [String: BatchRecord] = [:]

    public init(_ records: [BatchRecord] = []) {
        for record in records { add(record) }
    }

    /// Adds `record` unless a later one of the same output is known (ties: the later added wins).
    public mutating func add(_ record: BatchRecord) {
        guard record.status != .skipped else { return }
        if let known = latest[record.output], known.time > record.time { return }
        latest[record.output] = record
    }

    /// The latest record of `output`.
    public func record(of output: String) -> BatchRecord? { latest[output] }

    /// Whether `output` is finished for this input and request: its latest
    /// record is a success with the same input checksum and request, and the
    /// file there now (`outputSHA256`, nil when there is none) is the one written.
    public func isFinished(output: String, inputSHA256: String, request: [String: String],
                           outputSHA256: String?) -> Bool {
        guard let r = latest[output], r.status == .done, let now = outputSHA256 else { return false }
        return r.inputSHA256 == inputSHA256 && r.request == request && r.outputSHA256 == now
    }

    /// Why `output` must be (re)done, for messages: nil when it is finished.
    public func reason(output: String, inputSHA256: String, request: [String: String],
                       outputSHA256: String?) -> String? {
        guard let r = latest[output] else { return "new" }
        if r.status == .failed { return "failed before" }
        if r.inputSHA256 != inputSHA256 { return "input changed" }
        if r.request != request { return "settings changed" }
        guard let now = outputSHA256 else { return "output missing" }
        if r.outputSHA256 != now { return "output changed" }
        return nil
    }
}
