/// Eight float lanes: the values of one quantity for eight neighbouring DCT
/// windows, processed together.
///
/// A concrete stand-in for `SIMD8<Float>`. The standard SIMD types implement
/// their arithmetic generically, and debug (-Onone) builds run it
/// unspecialised, a lane at a time through protocol witnesses: the
/// deblocker's tests took minutes. Plain stored floats with inlined
/// operators cost little in debug builds, and in release builds LLVM's SLP
/// vectoriser turns each operation into one 8-wide vector instruction again.
struct FloatLanes {
    var l0, l1, l2, l3, l4, l5, l6, l7: Float

    @inline(__always)
    init(_ value: Float) {
        (l0, l1, l2, l3, l4, l5, l6, l7) = (value, value, value, value, value, value, value, value)
    }

    @inline(__always)
    init(_ l0: Float, _ l1: Float, _ l2: Float, _ l3: Float, _ l4: Float, _ l5: Float, _ l6: Float, _ l7: Float) {
        (self.l0, self.l1, self.l2, self.l3, self.l4, self.l5, self.l6, self.l7) = (l0, l1, l2, l3, l4, l5, l6, l7)
    }

    /// The eight floats at `p` (no alignment needed).
    @inline(__always)
    init(_ p: UnsafePointer<Float>) {
        self.init(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
    }

    @inline(__always)
    init(_ p: UnsafeMutablePointer<Float>) {
        self.init(UnsafePointer(p))
    }

    /// Writes the lanes to the eight floats at `p`.
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) {
        (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]) = (l0, l1, l2, l3, l4, l5, l6, l7)
    }

    /// Adds the lanes to the eight floats at `p`.
    @inline(__always)
    func add(to p: UnsafeMutablePointer<Float>) {
        p[0] += l0; p[1] += l1; p[2] += l2; p[3] += l3
        p[4] += l4; p[5] += l5; p[6] += l6; p[7] += l7
    }

    @inline(__always)
    static func + (a: FloatLanes, b: FloatLanes) -> FloatLanes {
        FloatLanes(a.l0 + b.l0, a.l1 + b.l1, a.l2 + b.l2, a.l3 + b.l3,
                   a.l4 + b.l4, a.l5 + b.l5, a.l6 + b.l6, a.l7 + b.l7)
    }

    @inline(__always)
    static func * (a: FloatLanes, b: FloatLanes) -> FloatLanes {
        FloatLanes(a.l0 * b.l0, a.l1 * b.l1, a.l2 * b.l2, a.l3 * b.l3,
                   a.l4 * b.l4, a.l5 * b.l5, a.l6 * b.l6, a.l7 * b.l7)
    }

    @inline(__always)
    static func * (s: Float, a: FloatLanes) -> FloatLanes {
        FloatLanes(s * a.l0, s * a.l1, s * a.l2, s * a.l3, s * a.l4, s * a.l5, s * a.l6, s * a.l7)
    }

    @inline(__always)
    static func / (a: FloatLanes, b: FloatLanes) -> FloatLanes {
        FloatLanes(a.l0 / b.l0, a.l1 / b.l1, a.l2 / b.l2, a.l3 / b.l3,
                   a.l4 / b.l4, a.l5 / b.l5, a.l6 / b.l6, a.l7 / b.l7)
    }

    @inline(__always)
    static func += (a: inout FloatLanes, b: FloatLanes) {
        a = a + b
    }

    @inline(__always)
    static func *= (a: inout FloatLanes, b: FloatLanes) {
        a = a * b
    }
}
