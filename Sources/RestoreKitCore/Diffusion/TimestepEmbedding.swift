#if canImport(Glibc)
import Glibc
#endif

/// The sinusoidal embedding of a diffusion timestep (diffusers'
/// `get_timestep_embedding`), in float32 as diffusers computes it, since the
/// sines of t · frequency for t up to 999 are sensitive to the argument's rounding:
/// half the channels hold sin(t · fᵢ), half cos(t · fᵢ), with
/// fᵢ = exp(−ln(10000) · i / (half − shift)), cosines first when `flipSinToCos`.
func timestepEmbedding(_ timestep: Float, channels: Int, flipSinToCos: Bool, shift: Float) -> [Float] {
    let half = channels / 2
    var out = [Float](repeating: 0, count: channels)
    let logPeriod = Float(-log(10000.0))
    for i in 0 ..< half {
        let frequency = expf(logPeriod * Float(i) / (Float(half) - shift))
        let angle = timestep * frequency
        out[flipSinToCos ? half + i : i] = sinf(angle)
        out[flipSinToCos ? i : half + i] = cosf(angle)
    }
    return out
}
