import VectorMath

/// VectorMath's activations over arrays, compiled for AVX2 and FMA.
public enum ActivationAVX2 {
    /// Replaces the `count` values at `p` by their SiLU.
    public static func silu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.transform(p, count: count, VectorMath.silu)
    }

    /// Replaces the `count` values at `p` by their GELU.
    public static func gelu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.transform(p, count: count, VectorMath.gelu)
    }

    /// Replaces the `count` values at `p` by their quick GELU.
    public static func quickGELU(_ p: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.transform(p, count: count, VectorMath.quickGELU)
    }
}
