extension JSONValue {
    /// The value as JSON text, object keys sorted and indented by two spaces
    /// like the `config.json` files diffusers writes; integral numbers below
    /// 9·10¹⁵ print without a fraction, others in Swift's shortest round-trip form
    /// (a non-finite number, which JSON cannot hold, as null).
    public var text: String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    private func write(to out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            out += n == n.rounded() && abs(n) < 9.0e15 ? String(Int(n)) : n.isFinite ? "\(n)" : "null"
        case .string(let s): out += s.jsonQuoted
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += indent + "  "
                item.write(to: &out, indent: indent + "  ")
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (i, key) in members.keys.sorted().enumerated() {
                out += indent + "  " + key.jsonQuoted + ": "
                members[key]!.write(to: &out, indent: indent + "  ")
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }
}
