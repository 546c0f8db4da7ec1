/// Runs one Python pickle (protocol 2) from a byte offset, with only the
/// opcodes PyTorch's legacy `torch.save` writes for a state dict.
///
/// Nothing is ever imported or executed: `GLOBAL` yields a name, `REDUCE` a
/// symbolic call (except `collections.OrderedDict()`, which becomes an empty
/// dict so `SETITEMS` can fill it), `BINPERSID` a persistent-id marker. Any
/// other opcode, a read past the end, a stack underflow or a memo miss is a
/// `PickleError` naming the byte offset.
struct PickleMachine {
    private let bytes: [UInt8]
    /// Offset of the next opcode.
    private(set) var position: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// A machine for the pickle that starts at byte `offset` of `bytes`.
    init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        position = offset
    }

    /// Runs to `STOP`; returns the pickled value and the offset just after the pickle.
    static func load(_ bytes: [UInt8], at offset: Int) throws(PickleError) -> (value: PickleValue, end: Int) {
        var machine = PickleMachine(bytes: bytes, offset: offset)
        let value = try machine.run()
        return (value, machine.position)
    }

    private mutating func run() throws(PickleError) -> PickleValue {
        while true {
            let at = position
            let opcode = try byte()
            switch opcode {
            case 0x80: // PROTO
                let version = try byte()
                guard version <= 2 else { throw PickleError(offset: at, message: "pickle protocol \(version) (only 2 is supported)") }
            case 0x2E: // STOP
                guard stack.count == 1, marks.isEmpty else {
                    throw PickleError(offset: at, message: "STOP with \(stack.count) values on the stack")
                }
                return stack[0]
            case 0x4E: stack.append(.none) // NONE
            case 0x88: stack.append(.bool(true)) // NEWTRUE
            case 0x4B: stack.append(.int(Int(try byte()))) // BININT1
            case 0x4D: stack.append(.int(Int(try unsigned(2)))) // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4))))) // BININT
            case 0x8A: // LONG1
                let raw = try take(Int(try byte()))
                stack.append(Self.integer(raw))
            case 0x58: // BINUNICODE
                let length = try unsigned(4)
                let raw = try take(Int(length))
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw PickleError(offset: at, message: "a string that is not valid UTF-8")
                }
                stack.append(.string(text))
            case 0x7D: stack.append(.dict(PickleDict())) // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList())) // EMPTY_LIST
            case 0x29: stack.append(.tuple([])) // EMPTY_TUPLE
            case 0x28: marks.append(stack.count) // MARK
            case 0x74: stack.append(.tuple(try popMark(at))) // TUPLE
            case 0x85: stack.append(.tuple([try pop(at)])) // TUPLE1
            case 0x75: // SETITEMS
                let items = try popMark(at)
                guard items.count % 2 == 0, case .dict(let dict)? = stack.last else {
                    throw PickleError(offset: at, message: "SETITEMS without a dict and key-value pairs")
                }
                for i in stride(from: 0, to: items.count, by: 2) { dict.items.append((items[i], items[i + 1])) }
            case 0x65: // APPENDS
                let items = try popMark(at)
                guard case .list(let list)? = stack.last else { throw PickleError(offset: at, message: "APPENDS without a list") }
                list.items += items
            case 0x71: memo[Int(try byte())] = try top(at) // BINPUT
            case 0x72: memo[Int(try unsigned(4))] = try top(at) // LONG_BINPUT
            case 0x68: // BINGET
                let key = Int(try byte())
                guard let value = memo[key] else { throw PickleError(offset: at, message: "BINGET of memo entry \(key), never stored") }
                stack.append(value)
            case 0x63: // GLOBAL: "module\nname\n"
                stack.append(.global(module: try line(), name: try line()))
            case 0x52: // REDUCE
                let arguments = try pop(at)
                let callable = try pop(at)
                guard case .global(let module, let name) = callable, case .tuple(let args) = arguments else {
                    throw PickleError(offset: at, message: "REDUCE of \(callable.kindDescription) with \(arguments.kindDescription)")
                }
                if module == "collections", name == "OrderedDict", args.isEmpty {
                    stack.append(.dict(PickleDict()))
                } else {
                    stack.append(.call(module: module, name: name, arguments: args))
                }
            case 0x51: stack.append(.persistent(try pop(at))) // BINPERSID
            default:
                let printable = opcode >= 0x20 && opcode < 0x7F ? " ('\(UnicodeScalar(opcode))')" : ""
                throw PickleError(offset: at, message: "unsupported pickle opcode 0x\(String(opcode, radix: 16))\(printable)")
            }
        }
    }

    /// A little-endian two's-complement integer of any width.
    private static func integer(_ raw: [UInt8]) -> PickleValue {
        guard raw.count <= 8 else { return .wideInt(raw) }
        guard let last = raw.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
        for b in raw.reversed() { value = value << 8 | UInt64(b) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private mutating func byte() throws(PickleError) -> UInt8 {
        guard position < bytes.count else { throw PickleError(offset: position, message: "the file ends inside a pickle") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func unsigned(_ width: Int) throws(PickleError) -> UInt32 {
        var value: UInt32 = 0
        for (i, b) in try take(width).enumerated() { value |= UInt32(b) << (8 * i) }
        return value
    }

    private mutating func take(_ count: Int) throws(PickleError) -> [UInt8] {
        guard count <= bytes.count - position else {
            throw PickleError(offset: position, message: "the file ends inside a pickle (\(count) bytes wanted, \(bytes.count - position) left)")
        }
        defer { position += count }
        return Array(bytes[position ..< position + count])
    }

    /// A newline-terminated ASCII name (of a `GLOBAL`).
    private mutating func line() throws(PickleError) -> String {
        let start = position
        guard let end = bytes[start...].firstIndex(of: 0x0A), end - start <= 256 else {
            throw PickleError(offset: start, message: "a GLOBAL name without its newline")
        }
        position = end + 1
        return String(decoding: bytes[start ..< end], as: UTF8.self)
    }

    private mutating func pop(_ at: Int) throws(PickleError) -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw PickleError(offset: at, message: "stack underflow")
        }
        stack.removeLast()
        return value
    }

    private func top(_ at: Int) throws(PickleError) -> PickleValue {
        guard let value = stack.last else { throw PickleError(offset: at, message: "memo store with an empty stack") }
        return value
    }

    private mutating func popMark(_ at: Int) throws(PickleError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw PickleError(offset: at, message: "no MARK to collect to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }
}

/// A pickle the machine cannot run.
struct PickleError: Error {
    /// Byte offset in the file.
    let offset: Int
    let message: String
}
