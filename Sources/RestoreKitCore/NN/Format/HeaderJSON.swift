/// The JSON subset of a safetensors header, parsed strictly and without Foundation.
///
/// A header holds only objects, arrays, strings and non-negative integers, so
/// those are all this parser accepts: `true`, `false`, `null`, negative or
/// fractional numbers, duplicate keys, control characters in strings, invalid
/// UTF-8, lone surrogates, nesting deeper than `maximumDepth` and anything after
/// the top-level value except whitespace are errors naming the byte offset.
enum HeaderJSON {
    case object([String: HeaderJSON])
    case array([HeaderJSON])
    case string(String)
    case integer(UInt64)

    /// Nesting limit: a header needs three levels (header → tensor → shape);
    /// the margin allows foreign but harmless structure while bounding recursion.
    static let maximumDepth = 16

    /// What the value is, for messages ("an array", "the string \"x\"").
    var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): "the string \"\(s.prefix(40))\""
        case .integer(let n): "the number \(n)"
        }
    }

    /// Parses `bytes` as one JSON value; errors say what is wrong and where.
    static func parse(_ bytes: [UInt8]) throws(HeaderJSONError) -> HeaderJSON {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.error("unexpected '\(parser.printable)' after the end of the header object")
        }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func error(_ what: String) -> HeaderJSONError { HeaderJSONError(offset: position, message: what) }

        /// The byte at the cursor as text for messages.
        var printable: String {
            guard position < bytes.count else { return "end of header" }
            let b = bytes[position]
            return b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "byte 0x" + String(b, radix: 16)
        }

        mutating func skipWhitespace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(HeaderJSONError) {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == byte else {
                throw error("expected \(what), found '\(printable)'")
            }
            position += 1
        }

        mutating func value(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
            guard depth < HeaderJSON.maximumDepth else { throw error("nesting deeper than \(HeaderJSON.maximumDepth) levels") }
            skipWhitespace()
            guard position < bytes.count else { throw error("the header ends where a value should be") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): return .integer(try integer())
            default:
                throw error("unsupported JSON value starting with '\(printable)' (a safetensors header holds only objects, arrays, strings and non-negative integers)")
            }
        }

        mutating func object(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
            var members: [String: HeaderJSON] = [:]
            if open(closing: UInt8(ascii: "}")) { return .object(members) }
            repeat {
                skipWhitespace()
                let keyOffset = position
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw error("expected a quoted key, found '\(printable)'")
                }
                let key = try string()
                try expect(UInt8(ascii: ":"), "':' after the key \"\(key)\"")
                let member = try value(depth: depth + 1)
                guard members.updateValue(member, forKey: key) == nil else {
                    throw HeaderJSONError(offset: keyOffset, message: "duplicate key \"\(key)\"")
                }
            } while try !closes(UInt8(ascii: "}"), "an object")
            return .object(members)
        }

        mutating func array(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
            var elements: [HeaderJSON] = []
            if open(closing: UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try value(depth: depth + 1))
            } while try !closes(UInt8(ascii: "]"), "an array")
            return .array(elements)
        }

        /// Steps past the opening byte of an object or array, and past its
        /// `closing` byte too when it is empty (true).
        mutating func open(closing: UInt8) -> Bool {
            position += 1
            skipWhitespace()
            guard position < bytes.count, bytes[position] == closing else { return false }
            position += 1
            return true
        }

        /// After a member of `container` ("an object", "an array"): steps past
        /// its `closing` byte (true) or the ',' before the next member (false).
        mutating func closes(_ closing: UInt8, _ container: String) throws(HeaderJSONError) -> Bool {
            skipWhitespace()
            guard position < bytes.count else { throw error("the header ends inside \(container)") }
            if bytes[position] == closing {
                position += 1
                return true
            }
            try expect(UInt8(ascii: ","), "',' or '\(Character(UnicodeScalar(closing)))' in \(container)")
            return false
        }

        /// A non-negative integer without sign, fraction or exponent, within UInt64.
        mutating func integer() throws(HeaderJSONError) -> UInt64 {
            let start = position
            var n: UInt64 = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw HeaderJSONError(offset: start, message: "number too large (over 2^64 - 1)") }
                n = sum
                position += 1
            }
            if position - start > 1, bytes[start] == UInt8(ascii: "0") {
                throw HeaderJSONError(offset: start, message: "number with a leading zero")
            }
            if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
                throw HeaderJSONError(offset: start, message: "fractional or exponent number (sizes and offsets are integers)")
            }
            return n
        }

        mutating func string() throws(HeaderJSONError) -> String {
            let start = position
            position += 1
            var utf8: [UInt8] = []
            while true {
                guard position < bytes.count else { throw HeaderJSONError(offset: start, message: "unterminated string") }
                let b = bytes[position]
                position += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: utf8, as: UTF8.self) else {
                        throw HeaderJSONError(offset: start, message: "string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    try escape(into: &utf8)
                case 0 ..< 0x20:
                    position -= 1
                    throw error("control character 0x\(String(b, radix: 16)) inside a string")
                default:
                    utf8.append(b)
                }
            }
        }

        /// The escape after a backslash, appended as UTF-8.
        mutating func escape(into utf8: inout [UInt8]) throws(HeaderJSONError) {
            guard position < bytes.count else { throw error("the header ends inside an escape") }
            let c = bytes[position]
            position += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(c)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800 ..< 0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                          bytes[position + 1] == UInt8(ascii: "u") else { throw error("lone UTF-16 surrogate in \\u escape") }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00 ..< 0xE000).contains(low) else { throw error("lone UTF-16 surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("lone UTF-16 surrogate in \\u escape") }
                utf8 += Array(String(Character(unicode)).utf8)
            default:
                position -= 1
                throw error("invalid escape '\\\(printable)'")
            }
        }

        mutating func hex4() throws(HeaderJSONError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw error("the header ends inside a \\u escape") }
            var value: UInt32 = 0
            for _ in 0 ..< 4 {
                let b = bytes[position]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: throw error("invalid hex digit '\(printable)' in a \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }
    }
}

/// A header that is not valid JSON of the safetensors subset.
struct HeaderJSONError: Error {
    /// Byte offset within the header text.
    let offset: Int
    let message: String
}
