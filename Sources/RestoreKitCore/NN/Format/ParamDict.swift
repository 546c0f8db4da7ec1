/// The `key=value` parameters of one layer line in an ncnn `.param` file.
///
/// Keys are integers 0–31. A value is an integer, a float (ncnn's rule: the
/// text holds '.', 'e' or 'E'), a quoted or bare string, or an array written
/// with the key −23300−k (`-23310=2,0.1,0.2` is key 10 holding two values).
/// Layers read what they know with defaults, as ncnn's `load_param` does.
public struct ParamDict: Sendable, Equatable {
    /// One parameter value.
    public enum Value: Sendable, Equatable {
        case int(Int)
        case float(Float)
        case string(String)
        case array([Double])
    }

    /// ncnn's limit on parameter ids.
    static let keyLimit = 32

    private(set) var values: [Int: Value] = [:]

    public init() {}

    /// Whether `key` was given.
    public func has(_ key: Int) -> Bool { values[key] != nil }

    /// The integer at `key`, or `defaultValue`. A float value is truncated.
    public func int(_ key: Int, _ defaultValue: Int) -> Int {
        switch values[key] {
        case .int(let v): return v
        case .float(let v) where v.isFinite && abs(v) < 1e15: return Int(v)
        default: return defaultValue
        }
    }

    /// The float at `key`, or `defaultValue`. An integer value converts.
    public func float(_ key: Int, _ defaultValue: Float) -> Float {
        switch values[key] {
        case .float(let v): return v
        case .int(let v): return Float(v)
        default: return defaultValue
        }
    }

    /// The array at `key` (empty when absent; a scalar is a one-element array).
    public func array(_ key: Int) -> [Double] {
        switch values[key] {
        case .array(let v): return v
        case .int(let v): return [Double(v)]
        case .float(let v): return [Double(v)]
        default: return []
        }
    }

    /// Parses the parameter tokens of one layer line (`0=64 1=3 -23310=1,0.2`).
    /// Throws a message (without location) for a malformed token.
    static func parse<S: Sequence>(_ tokens: S) throws(ParamSyntaxError) -> ParamDict where S.Element == Substring {
        var dict = ParamDict()
        for token in tokens {
            guard let eq = token.firstIndex(of: "="), let rawKey = Int(token[..<eq]) else {
                throw ParamSyntaxError("'\(token)' is not a key=value parameter")
            }
            let text = token[token.index(after: eq)...]
            let isArray = rawKey <= -23300
            let key = isArray ? -rawKey - 23300 : rawKey
            guard (0 ..< keyLimit).contains(key) else {
                throw ParamSyntaxError("parameter id \(rawKey) is out of range")
            }
            if isArray {
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard let length = parts.first.flatMap({ Int($0) }), length >= 0, parts.count == length + 1 else {
                    throw ParamSyntaxError("array parameter '\(token)' does not hold the count it states")
                }
                var items: [Double] = []
                for part in parts.dropFirst() {
                    guard let v = number(part) else {
                        throw ParamSyntaxError("array parameter '\(token)' has a non-numeric element '\(part)'")
                    }
                    items.append(v)
                }
                dict.values[key] = .array(items)
            } else if text.hasPrefix("\"") || (text.first.map { $0.isLetter } ?? false) {
                dict.values[key] = .string(String(text.trimmingQuotes()))
            } else if isFloatText(text) {
                guard let v = Float(text) else { throw ParamSyntaxError("'\(token)' has a malformed number") }
                dict.values[key] = .float(v)
            } else {
                guard let v = Int(text) else { throw ParamSyntaxError("'\(token)' has a malformed number") }
                dict.values[key] = .int(v)
            }
        }
        return dict
    }

    /// ncnn decides float versus integer by looking for '.', 'e' or 'E'.
    private static func isFloatText(_ text: Substring) -> Bool {
        text.contains { $0 == "." || $0 == "e" || $0 == "E" }
    }

    private static func number(_ text: Substring) -> Double? {
        isFloatText(text) ? Float(text).map(Double.init) : Int(text).map(Double.init)
    }
}

/// A malformed parameter token; the parser adds the file, line and layer.
struct ParamSyntaxError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

private extension Substring {
    func trimmingQuotes() -> Substring {
        var s = self
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return s
    }
}
