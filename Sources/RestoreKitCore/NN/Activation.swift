#if canImport(Glibc)
import Glibc
#endif
import AVX2Kernels
import VectorMath

/// The activation ncnn fuses into convolution layers: parameter 9 names it,
/// parameter 10 (an array) holds its constants.
enum Activation: Sendable, Equatable {
    case identity
    case relu
    case leakyReLU(slope: Float)
    case clip(min: Float, max: Float)
    case sigmoid
    case mish
    case hardSwish(alpha: Float, beta: Float)
    /// x · sigmoid(x) (SiLU, "swish"): the activation of diffusion UNets and VAEs.
    case silu
    /// x · Φ(x) with the exact normal CDF (PyTorch's default GELU).
    case gelu
    /// x · sigmoid(1.702 x): the GELU approximation of OpenAI's CLIP.
    case quickGELU

    /// ncnn's `activation_type` / `activation_params` pair.
    init(params: ParamDict) throws {
        let values = params.array(10).map(Float.init)
        func value(_ i: Int, _ fallback: Float) -> Float { i < values.count ? values[i] : fallback }
        switch params.int(9, 0) {
        case 0: self = .identity
        case 1: self = .relu
        case 2: self = .leakyReLU(slope: value(0, 0))
        case 3: self = .clip(min: value(0, -.greatestFiniteMagnitude), max: value(1, .greatestFiniteMagnitude))
        case 4: self = .sigmoid
        case 5: self = .mish
        case 6: self = .hardSwish(alpha: value(0, 0.2), beta: value(1, 0.5))
        case let other: throw RestoreError(.model, "unknown fused activation type \(other)")
        }
    }

    /// Applies the activation to `count` values at `p`.
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            return
        case .sigmoid:
            for i in 0 ..< count { p[i] = 1 / (1 + expf(-p[i])) }
        case .mish:
            for i in 0 ..< count { p[i] = p[i] * tanhf(log1pf(expf(p[i]))) }
        case .hardSwish(let alpha, let beta):
            let lower = -beta / alpha, upper = lower + 1 / alpha
            for i in 0 ..< count {
                let x = p[i]
                p[i] = x < lower ? 0 : x > upper ? x : x * (x * alpha + beta)
            }
        case .silu where CPUFeatures.hasAVX2FMA:
            ActivationAVX2.silu(p, count: count)
        case .gelu where CPUFeatures.hasAVX2FMA:
            ActivationAVX2.gelu(p, count: count)
        case .quickGELU where CPUFeatures.hasAVX2FMA:
            ActivationAVX2.quickGELU(p, count: count)
        case .relu, .leakyReLU, .clip, .silu, .gelu, .quickGELU:
            VectorMath.transform(p, count: count) { apply($0) }
        }
    }

    /// The activation of eight values (so output transforms may apply it to registers directly).
    @inline(__always)
    func apply(_ v: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return v
        case .relu: return v.replacing(with: 0, where: v .< 0)
        case .leakyReLU(let slope): return v.replacing(with: v * slope, where: v .< 0)
        case .clip(let lo, let hi): return v.clamped(lowerBound: SIMD8(repeating: lo), upperBound: SIMD8(repeating: hi))
        case .silu: return VectorMath.silu(v)
        case .gelu: return VectorMath.gelu(v)
        case .quickGELU: return VectorMath.quickGELU(v)
        case .sigmoid, .mish, .hardSwish:
            var out = v
            withUnsafeMutableBytes(of: &out) { apply($0.baseAddress!.assumingMemoryBound(to: Float.self), count: 8) }
            return out
        }
    }
}
