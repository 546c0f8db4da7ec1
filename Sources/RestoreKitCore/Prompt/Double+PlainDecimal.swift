extension Double {
    /// Swift's shortest round-trip digits (`description`), written out in plain
    /// decimal notation instead of exponent form: 1e-05 → "0.00001",
    /// 1.5e-07 → "0.00000015", 1e+16 → "10000000000000000.0". Reading the text
    /// back gives exactly this value. Non-finite values keep `description`.
    var plainDecimalDescription: String {
        let text = description
        guard isFinite, let e = text.firstIndex(of: "e"),
              let exponent = Int(text[text.index(after: e)...]) else { return text }
        var mantissa = text[..<e]
        let sign = mantissa.first == "-" ? "-" : ""
        if !sign.isEmpty { mantissa = mantissa.dropFirst() }
        let integerDigits = mantissa.prefix { $0 != "." }
        let digits = String(mantissa.filter { $0 != "." })
        // Where the decimal point falls, counted in digits from the left.
        let point = integerDigits.count + exponent
        if point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        if point >= digits.count {
            return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
        }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }
}
