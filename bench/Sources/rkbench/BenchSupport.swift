import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, for timing.
func now() -> Double {
    monotonicSeconds()
}

/// The median of `values` (which must not be empty).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// The mean of `values` (which must not be empty).
func mean(_ values: [Double]) -> Double {
    values.reduce(0, +) / Double(values.count)
}

/// Runs `body` `repeats` times and returns each run's seconds.
func timeRuns(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    try (0 ..< repeats).map { _ in
        let start = now()
        try body()
        return now() - start
    }
}

/// The shared test data folder: $RESTOREKIT_DATA, else ../shared/data.
func dataRoot() -> String {
    if let value = getenv("RESTOREKIT_DATA") { return String(cString: value) }
    return "../shared/data"
}

/// The image files (.png, .jpg, .bmp excluded) of a data folder such as
/// "testsets/CBSD68", sorted by name, as full paths.
func imagePaths(_ folder: String) throws -> [String] {
    let path = dataRoot() + "/" + folder
    guard let dir = opendir(path) else {
        throw RestoreError(.io, "cannot open data folder '\(path)' (set RESTOREKIT_DATA)")
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if ImageFormat(path: name) != nil { names.append(name) }
    }
    return names.sorted().map { path + "/" + $0 }
}

/// A number with `digits` decimals (no Foundation formatting in this target).
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled) - whole * Int(scale)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let text = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
}

/// The file name of `path` without folder and extension.
func fileStem(_ path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.split(separator: ".").dropLast().joined(separator: ".")
}

/// Creates `path` and its parents (existing folders are fine).
func makeFolders(_ path: String) throws {
    var partial = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        partial += "/" + component
        if mkdir(partial, 0o755) != 0 && errno != EEXIST {
            throw RestoreError(.io, "cannot create folder '\(partial)'")
        }
    }
}
