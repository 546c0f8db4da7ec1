extension FFT {
    /// A 2-D plan's key.
    struct PlanSize: Hashable, Sendable {
        let width: Int
        let height: Int
    }

    // Process-wide plans by size, so a size pays for its twiddles (and, for
    // other than fast lengths, its Bluestein kernel) once. Plans are small next
    // to the images they transform and sizes repeat (tiles), so nothing is evicted.
    static let complexPlans = KeyedCache<Int, ComplexPlan>()
    static let realPlans2D = KeyedCache<PlanSize, RealPlan2D>()
}
