/// A diffusers scheduler configuration (`scheduler/scheduler_config.json`), read as
/// diffusers' `from_config` reads it: every scheduler takes the keys it knows and its
/// own default for each key that is missing or null, and ignores the rest. So any
/// Stable Diffusion scheduler configuration (SD 1.5 ships a PNDM one) builds any
/// scheduler here, as `XScheduler.from_config(config)` does in diffusers.
///
/// The typed getters reject values of the wrong type, and `unsupported` makes the
/// error for a value a scheduler does not implement; both name the file and the key.
public struct SchedulerConfig: Sendable {
    /// Where the configuration came from, for messages.
    public let source: String
    private var values: [String: JSONValue]

    /// A configuration from a JSON object's members.
    public init(_ values: [String: JSONValue], source: String) {
        self.values = values
        self.source = source
    }

    /// Reads `scheduler_config.json` (or any file holding one JSON object).
    public static func read(_ path: String) throws -> SchedulerConfig {
        guard let object = try JSONValue.read(path).object else {
            throw RestoreError(.model, "'\(path)': a scheduler configuration must be a JSON object")
        }
        return SchedulerConfig(object, source: path)
    }

    /// The configuration with `key` set to `value`, as `from_config(config, key=value)`.
    public func setting(_ key: String, _ value: JSONValue) -> SchedulerConfig {
        var copy = self
        copy.values[key] = value
        return copy
    }

    /// The diffusers class the configuration was saved from (`_class_name`), if named.
    public var className: String? { self["_class_name"]?.string }

    /// The value of `key`, or nil when it is missing or null.
    public subscript(key: String) -> JSONValue? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    func integer(_ key: String, default fallback: Int) throws -> Int {
        guard let value = self[key] else { return fallback }
        guard let number = value.int else { throw wrongType(key, value, "an integer") }
        return number
    }

    func number(_ key: String, default fallback: Double) throws -> Double {
        try optionalNumber(key) ?? fallback
    }

    func optionalNumber(_ key: String) throws -> Double? {
        guard let value = self[key] else { return nil }
        guard let number = value.double else { throw wrongType(key, value, "a number") }
        return number
    }

    func flag(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = self[key] else { return fallback }
        guard let flag = value.bool else { throw wrongType(key, value, "true or false") }
        return flag
    }

    /// A string that must be one of `allowed`.
    func choice(_ key: String, default fallback: String, allowed: [String]) throws -> String {
        guard let value = self[key] else { return fallback }
        guard let text = value.string else { throw wrongType(key, value, "a string") }
        guard allowed.contains(text) else { throw unsupported(key, value, expected: allowed.joined(separator: ", ")) }
        return text
    }

    /// An array of numbers, or nil when missing or null.
    func numbers(_ key: String) throws -> [Double]? {
        guard let value = self[key] else { return nil }
        guard let array = value.array else { throw wrongType(key, value, "an array of numbers") }
        return try array.map { element in
            guard let number = element.double else { throw wrongType(key, value, "an array of numbers") }
            return number
        }
    }

    /// Rejects a feature flag that is set: the scheduler does not implement it.
    func requireOff(_ key: String) throws {
        if try flag(key, default: false) { throw unsupported(key, .bool(true), expected: "false") }
    }

    /// The error for a value of `key` that the scheduler does not implement.
    func unsupported(_ key: String, _ value: JSONValue, expected: String) -> RestoreError {
        RestoreError(.model, "'\(source)': scheduler key '\(key)' is \(value.kindDescription); supported: \(expected)")
    }

    private func wrongType(_ key: String, _ value: JSONValue, _ expected: String) -> RestoreError {
        RestoreError(.model, "'\(source)': scheduler key '\(key)' is \(value.kindDescription); expected \(expected)")
    }
}
