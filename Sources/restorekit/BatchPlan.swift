import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

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
