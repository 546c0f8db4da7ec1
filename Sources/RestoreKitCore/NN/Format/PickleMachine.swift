/// Runs one Python pickle from a byte offset, building `PickleValue`s.
///
/// Nothing is ever imported or executed: `GLOBAL` yields a name, `REDUCE` and
/// `NEWOBJ` a symbolic call of it (except `collections.OrderedDict()`, which
/// becomes an empty dict so `SETITEMS` can fill it), `BINPERSID` a
/// persistent-id marker. What a pickle puts into an instance afterwards — its
/// `BUILD` state, items set or appended into it — is dropped: readers never
/// look inside instances, and reaching one where they expect data is their error.
///
/// `vocabulary` says which opcodes run; any other opcode, a read past the end,
/// a stack underflow or a memo miss is a `PickleError` naming the byte offset.
struct PickleMachine {
    /// The opcodes a machine runs.
    enum Vocabulary {
        /// Protocol 2's opcodes that PyTorch's legacy `torch.save` writes for a
        /// state dict, and no others.
        case stateDict
        /// The binary opcodes of protocols 2 to 5 — all but extension codes and
        /// out-of-band buffers — for whole training checkpoints, whose extra
        /// entries (Lightning's callbacks and hyper-parameters, floats, bytes,
        /// sets) must parse even though no reader looks at them.
        case checkpoint
    }

    private let bytes: [UInt8]
    private let vocabulary: Vocabulary
    /// Offset of the next opcode.
    private(set) var position: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// A machine for the pickle that starts at byte `offset` of `bytes`.
    init(bytes: [UInt8], offset: Int, vocabulary: Vocabulary) {
        self.bytes = bytes
        self.vocabulary = vocabulary
        position = offset
    }

    /// Runs to `STOP`; returns the pickled value and the offset just after the pickle.
    static func load(_ bytes: [UInt8], at offset: Int, vocabulary: Vocabulary = .stateDict)
        throws(PickleError) -> (value: PickleValue, end: Int) {
        var machine = PickleMachine(bytes: bytes, offset: offset, vocabulary: vocabulary)
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
                let newest = vocabulary == .stateDict ? 2 : 5
                guard version <= newest else {
                    throw PickleError(offset: at, message: "pickle protocol \(version) (only \(newest == 2 ? "2" : "2 to 5") is supported)")
                }
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
            case 0x58: stack.append(.string(try text(Int(try unsigned(4)), at))) // BINUNICODE
            case 0x7D: stack.append(.dict(PickleDict())) // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList())) // EMPTY_LIST
            case 0x29: stack.append(.tuple([])) // EMPTY_TUPLE
            case 0x28: marks.append(stack.count) // MARK
            case 0x74: stack.append(.tuple(try popMark(at))) // TUPLE
            case 0x85: stack.append(.tuple([try pop(at)])) // TUPLE1
            case 0x75: // SETITEMS
                let items = try popMark(at)
                guard items.count % 2 == 0 else { throw PickleError(offset: at, message: "SETITEMS of an odd number of values") }
                try setItems(items, at)
            case 0x65: // APPENDS
                let items = try popMark(at)
                try append(items, at)
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
                stack.append(try call(try pop(at), arguments, at, "REDUCE"))
            case 0x51: stack.append(.persistent(try pop(at))) // BINPERSID
            default:
                guard vocabulary == .checkpoint, try runCheckpointOpcode(opcode, at) else {
                    let printable = opcode >= 0x20 && opcode < 0x7F ? " ('\(UnicodeScalar(opcode))')" : ""
                    throw PickleError(offset: at, message: "unsupported pickle opcode 0x\(String(opcode, radix: 16))\(printable)")
                }
            }
        }
    }

    /// Runs one of the opcodes only `.checkpoint` knows; false for any other.
    private mutating func runCheckpointOpcode(_ opcode: UInt8, _ at: Int) throws(PickleError) -> Bool {
        switch opcode {
        case 0x95: _ = try take(8) // FRAME: a length hint for buffered readers
        case 0x89: stack.append(.bool(false)) // NEWFALSE
        case 0x47: // BINFLOAT, big-endian
            var bits: UInt64 = 0
            for b in try take(8) { bits = bits << 8 | UInt64(b) }
            stack.append(.float(Double(bitPattern: bits)))
        case 0x8B: stack.append(Self.integer(try take(Int(try unsigned(4))))) // LONG4
        case 0x8C: stack.append(.string(try text(Int(try byte()), at))) // SHORT_BINUNICODE
        case 0x8D: stack.append(.string(try text(try length8(), at))) // BINUNICODE8
        case 0x43, 0x55: stack.append(.bytes(try take(Int(try byte())))) // SHORT_BINBYTES, SHORT_BINSTRING
        case 0x42, 0x54: stack.append(.bytes(try take(Int(try unsigned(4))))) // BINBYTES, BINSTRING
        case 0x8E: stack.append(.bytes(try take(try length8()))) // BINBYTES8
        case 0x86, 0x87: // TUPLE2, TUPLE3
            var items: [PickleValue] = []
            for _ in 0 ..< (opcode == 0x86 ? 2 : 3) { items.insert(try pop(at), at: 0) }
            stack.append(.tuple(items))
        // Sets are kept as lists: readers only ever need their elements.
        case 0x8F: stack.append(.list(PickleList())) // EMPTY_SET
        case 0x90: // ADDITEMS
            let items = try popMark(at)
            try append(items, at)
        case 0x91: // FROZENSET
            let list = PickleList()
            list.items = try popMark(at)
            stack.append(.list(list))
        case 0x61: // APPEND
            let item = try pop(at)
            try append([item], at)
        case 0x73: // SETITEM
            let value = try pop(at)
            let key = try pop(at)
            try setItems([key, value], at)
        case 0x30: _ = try pop(at) // POP
        case 0x31: _ = try popMark(at) // POP_MARK
        case 0x32: stack.append(try top(at)) // DUP
        case 0x6A: // LONG_BINGET
            let key = Int(try unsigned(4))
            guard let value = memo[key] else { throw PickleError(offset: at, message: "LONG_BINGET of memo entry \(key), never stored") }
            stack.append(value)
        case 0x94: memo[memo.count] = try top(at) // MEMOIZE
        case 0x93: // STACK_GLOBAL
            let name = try pop(at)
            let module = try pop(at)
            guard case .string(let m) = module, case .string(let n) = name else {
                throw PickleError(offset: at, message: "STACK_GLOBAL of \(module.kindDescription) and \(name.kindDescription)")
            }
            stack.append(.global(module: m, name: n))
        case 0x81: // NEWOBJ
            let arguments = try pop(at)
            stack.append(try call(try pop(at), arguments, at, "NEWOBJ"))
        case 0x92: // NEWOBJ_EX: keyword arguments are dropped with the instance's contents
            _ = try pop(at)
            let arguments = try pop(at)
            stack.append(try call(try pop(at), arguments, at, "NEWOBJ_EX"))
        case 0x62: // BUILD: the state of an instance (a state dict's `_metadata`)
            _ = try pop(at)
            _ = try top(at)
        default: return false
        }
        return true
    }

    /// `callable(*arguments)`, kept symbolic.
    private func call(_ callable: PickleValue, _ arguments: PickleValue, _ at: Int, _ what: String) throws(PickleError) -> PickleValue {
        guard case .global(let module, let name) = callable, case .tuple(let args) = arguments else {
            throw PickleError(offset: at, message: "\(what) of \(callable.kindDescription) with \(arguments.kindDescription)")
        }
        if module == "collections", name == "OrderedDict", args.isEmpty { return .dict(PickleDict()) }
        return .call(module: module, name: name, arguments: args)
    }

    /// Key-value pairs `items` into the dict on top of the stack (dropped into an instance).
    private func setItems(_ items: [PickleValue], _ at: Int) throws(PickleError) {
        switch stack.last {
        case .dict(let dict)?:
            try refuseCycle(items, into: dict, at)
            for i in stride(from: 0, to: items.count, by: 2) { dict.items.append((items[i], items[i + 1])) }
        case .call?: break
        default: throw PickleError(offset: at, message: "items set into \(stack.last?.kindDescription ?? "nothing"), not a dict")
        }
    }

    /// `items` appended to the list on top of the stack (dropped into an instance).
    private func append(_ items: [PickleValue], _ at: Int) throws(PickleError) {
        switch stack.last {
        case .list(let list)?:
            try refuseCycle(items, into: list, at)
            list.items += items
        case .call?: break
        default: throw PickleError(offset: at, message: "items appended to \(stack.last?.kindDescription ?? "nothing"), not a list")
        }
    }

    /// Refuses to put `container` inside itself: a reference cycle, which no state dict
    /// has, would outlive the load (containers are reference-counted classes).
    private func refuseCycle(_ items: [PickleValue], into container: AnyObject, _ at: Int) throws(PickleError) {
        let cycle = PickleError(offset: at, message: "a container put inside itself (a reference cycle)")
        var pending = items
        var seen: Set<ObjectIdentifier> = []
        while let value = pending.popLast() {
            switch value {
            case .tuple(let values), .call(_, _, let values): pending += values
            case .persistent(let inner): pending.append(inner)
            case .list(let list):
                if list === container { throw cycle }
                if seen.insert(ObjectIdentifier(list)).inserted { pending += list.items }
            case .dict(let dict):
                if dict === container { throw cycle }
                if seen.insert(ObjectIdentifier(dict)).inserted { pending += dict.items.flatMap { [$0.key, $0.value] } }
            default: break
            }
        }
    }

    /// A UTF-8 string of `count` bytes.
    private mutating func text(_ count: Int, _ at: Int) throws(PickleError) -> String {
        guard let text = String(validating: try take(count), as: UTF8.self) else {
            throw PickleError(offset: at, message: "a string that is not valid UTF-8")
        }
        return text
    }

    /// An 8-byte little-endian length, which must fit the rest of the bytes.
    private mutating func length8() throws(PickleError) -> Int {
        let low = UInt64(try unsigned(4)), high = UInt64(try unsigned(4))
        let length = high << 32 | low
        guard length <= UInt64(bytes.count - position) else {
            throw PickleError(offset: position, message: "the file ends inside a pickle (\(length) bytes wanted, \(bytes.count - position) left)")
        }
        return Int(length)
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
