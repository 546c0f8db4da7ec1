import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import RestoreKitCore

/// Runs `body`; a `RestoreError` becomes "restorekit: <message>" on stderr and
/// exit status 1 (argument mistakes keep ArgumentParser's own status, 64).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RestoreError {
        printError("restorekit: \(error.message)")
        throw ExitCode.failure
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    writeError(line + "\n")
}

/// Writes `string` to standard error as it is.
func writeError(_ string: String) {
    var bytes = Array(string.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        guard n > 0 else { return }
        bytes = bytes.dropFirst(n)
    }
}
