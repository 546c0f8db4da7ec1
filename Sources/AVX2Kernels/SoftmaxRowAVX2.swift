import VectorMath

/// `SoftmaxRow` compiled for AVX2 and FMA: eight lanes per instruction where the
/// baseline build needs two.
public enum SoftmaxRowAVX2 {
    /// The largest of `count` scores.
    public static func maximum(_ row: UnsafePointer<Float>, count: Int) -> Float {
        SoftmaxRow.maximum(row, count: count)
    }

    /// Replaces `count` scores (in base 2) by 2^(score − `top`) and returns their sum.
    public static func exponentiate(_ row: UnsafeMutablePointer<Float>, count: Int, minus top: Float) -> Float {
        SoftmaxRow.exponentiate(row, count: count, minus: top)
    }
}
