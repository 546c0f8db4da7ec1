#if canImport(Glibc)
import Glibc
#endif
import RestoreKitCore

/// The bytes of one fuzz input, cut into the files a target needs.
public struct FuzzInput {
    /// The whole input.
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The input cut at each `separator` (a line "--8<--" by default) into exactly
    /// `count` parts, the last taking the rest; missing parts are empty. Seeds are
    /// written as the files joined by that line, so they stay readable.
    public func parts(_ count: Int, separator: [UInt8] = Array("\n--8<--\n".utf8)) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0, i = 0
        while parts.count < count - 1, i + separator.count <= bytes.count {
            if bytes[i ..< i + separator.count].elementsEqual(separator) {
                parts.append(Array(bytes[start ..< i]))
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(Array(bytes[min(start, bytes.count)...]))
        while parts.count < count { parts.append([]) }
        return parts
    }
}

/// A private scratch folder for the parsers that read files: made on first use,
/// removed with what was written to it when the process exits.
public enum Scratch {
    nonisolated(unsafe) private static var written: Set<String> = []

    public static let folder: String = {
        var template = Array("/tmp/restorekit-fuzz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("cannot make a scratch folder in /tmp") }
        atexit {
            for path in Scratch.written { unlink(path) }
            rmdir(Scratch.folder)
        }
        return String(cString: made)
    }()

    /// Writes `bytes` to the file `name` (a path relative to the scratch folder,
    /// whose folders exist) and returns its path.
    @discardableResult
    public static func write(_ bytes: [UInt8], to name: String) -> String {
        let path = folder + "/" + name
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        precondition(bytes.isEmpty || fwrite(bytes, 1, bytes.count, file) == bytes.count, "short write to \(path)")
        fclose(file)
        written.insert(path)
        return path
    }

    /// Removes the file `name` if it is there.
    public static func remove(_ name: String) {
        unlink(folder + "/" + name)
    }
}

/// Whether refusals are printed (FUZZ_SHOW_ERRORS=1), to see why a seed does not load.
private let showErrors = getenv("FUZZ_SHOW_ERRORS") != nil

/// The check every target makes of a refusal: RestoreKit's one error type, with a
/// message a person can act on.
public func expectRefusal(_ error: any Error, of what: String, kinds: [RestoreError.Kind]) {
    if showErrors { print("\(what): \(error)") }
    guard let error = error as? RestoreError else {
        fatalError("\(what): threw \(type(of: error)), not a RestoreError: \(error)")
    }
    precondition(!error.message.isEmpty, "\(what): an error of kind \(error.kind) without a message")
    precondition(kinds.contains(error.kind), "\(what): error of kind \(error.kind), expected one of \(kinds): \(error.message)")
}

/// The image size the decoding targets accept: large enough for every seed, small
/// enough that a made-up header cannot make an exhausting allocation.
public let fuzzLimits = ImageLimits(maxPixels: 1 << 22, maxSide: 16384)

/// A decoded image has as many samples as its size says, each in 0…1.
public func checkSamples(_ image: Image, _ what: String) {
    precondition(image.samples.count == image.width * image.height * image.layout.channelCount,
                 "\(what): \(image.samples.count) samples for \(image.width) × \(image.height) × \(image.layout.channelCount)")
    precondition(image.samples.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(what): a sample outside 0…1")
}

/// Reads a tensor of `count` elements as floats where that is small enough for a
/// fuzz run (loading checks shapes before it reads, so no real load reads more),
/// and checks that every element came back; a refusal must be an error with a message.
public func checkFloats(of name: String, count: Int, what: String, _ read: () throws -> [Float]) {
    guard count <= 1 << 20 else { return }
    do {
        let values = try read()
        precondition(values.count == count, "\(what): '\(name)' read as \(values.count) floats, not \(count)")
    } catch {
        expectRefusal(error, of: "\(what): '\(name)'", kinds: [.model, .unsupported])
    }
}
