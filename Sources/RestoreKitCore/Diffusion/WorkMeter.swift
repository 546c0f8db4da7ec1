/// The fraction of a run done, in units of estimated cost: each part reports
/// at its layers, by the share of the layers a part of its kind ran before
/// (a kind's first part reports its start until it ends).
final class WorkMeter {
    private let total: Double
    private let report: ((Double) throws -> Void)?
    private var done = 0.0
    private var layers: [String: Int] = [:]

    init(total: Double, report: ((Double) throws -> Void)?) {
        self.total = max(total, 1)
        self.report = report
    }

    func part<R>(_ cost: Double, kind: String, _ body: (_ tick: @escaping () throws -> Void) throws -> R) throws -> R {
        var ticks = 0
        let expected = layers[kind]
        let start = done
        let result = try body { [self] in
            ticks += 1
            let share = expected.map { min(Double(ticks) / Double(max($0, 1)), 1) } ?? 0
            try report?((start + cost * share) / total)
        }
        if expected == nil { layers[kind] = ticks }
        done = start + cost
        try report?(done / total)
        return result
    }
}
