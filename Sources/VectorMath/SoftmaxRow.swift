/// The two passes softmax makes over a row of scores, for attention: in base 2,
/// scores already multiplied by log₂e.
public enum SoftmaxRow {
    /// The largest of `count` scores.
    @inlinable @inline(__always)
    public static func maximum(_ row: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(row)
        var largest = VectorMath.Vector(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: VectorMath.Vector.self)
            largest.replace(with: x, where: x .> largest)
            i += 8
        }
        // Lane by lane: the standard library's max() is generic, compiled apart from its callers.
        var top = largest[0]
        for lane in 1 ..< 8 where largest[lane] > top { top = largest[lane] }
        for j in i ..< count where row[j] > top { top = row[j] }
        return top
    }

    /// Replaces `count` scores (in base 2) by 2^(score − `top`) and returns their sum.
    @inlinable @inline(__always)
    public static func exponentiate(_ row: UnsafeMutablePointer<Float>, count: Int, minus top: Float) -> Float {
        var sums = VectorMath.Vector()
        // Padding of −∞ makes the last vector's missing lanes add 2⁻¹²⁶, nothing next to the 1 of the largest.
        VectorMath.transform(row, count: count, padding: -.infinity) { x in
            let e = VectorMath.exp2NonPositive(x - top)
            sums += e
            return e
        }
        return sums.sum()
    }
}
