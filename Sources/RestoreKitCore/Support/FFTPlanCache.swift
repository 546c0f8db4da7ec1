extension FFT {
    /// Process-wide plans by size, so a size pays for its twiddles (and, for
    /// other than fast lengths, its Bluestein kernel) once. Plans are small next
    /// to the images they transform and sizes repeat (tiles), so nothing is evicted.
    final class PlanCache<Key: Hashable & Sendable, Plan: Sendable>: @unchecked Sendable {
        private var plans: [Key: Plan] = [:]
        private let lock = Lock()

        /// The cached plan for `key`, made with `make` on first use. Two
        /// threads asking at once may both build it; the first stored wins.
        func plan(for key: Key, make: () throws -> Plan) rethrows -> Plan {
            if let plan = lock.withLock({ plans[key] }) { return plan }
            let plan = try make()
            return lock.withLock {
                if let existing = plans[key] { return existing }
                plans[key] = plan
                return plan
            }
        }
    }

    /// A 2-D plan's key.
    struct PlanSize: Hashable, Sendable {
        let width: Int
        let height: Int
    }

    static let complexPlans = PlanCache<Int, ComplexPlan>()
    static let realPlans2D = PlanCache<PlanSize, RealPlan2D>()
}
