#if canImport(Glibc)
import Glibc
#endif

/// PyTorch's CPU random generator (`torch.Generator()` on the CPU), draw for draw:
/// a seed gives the numbers `torch.randn(shape, generator=torch.Generator().manual_seed(seed))`
/// gives, and successive draws advance the state as torch's do, so one generator used
/// for the initial latents and then for every step's noise (as diffusers' pipelines
/// use it) reproduces a torch run.
///
/// The engine is the 32-bit Mersenne Twister, seeded from the low 32 bits of the
/// 64-bit seed as `manual_seed` seeds it. `randn` follows torch's CPU normal kernel for
/// contiguous float32 tensors: 16 or more elements take the block Box–Muller path
/// (`TorchBoxMuller`), fewer take the scalar double-precision path, which caches the
/// second deviate of each pair in the generator as torch does.
public struct TorchGenerator: Sendable {
    /// Words in the Mersenne Twister's state.
    static let stateSize = 624
    /// The offset of the word each twist mixes in.
    static let shift = 397

    /// The 64-bit seed given (only its low 32 bits seed the engine).
    public let seed: UInt64
    private var state: [UInt32]
    /// The next state word to temper and return.
    private var position: Int
    /// The second deviate of the scalar path's last Box–Muller pair, not yet returned.
    private var cachedNormal: Double?

    /// A generator seeded as `torch.Generator().manual_seed(seed)`.
    public init(seed: UInt64) {
        self.seed = seed
        var state = [UInt32](repeating: 0, count: Self.stateSize)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1 ..< Self.stateSize {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        position = Self.stateSize
        cachedNormal = nil
    }

    /// The next 32 random bits (torch's `random()`).
    public mutating func nextUInt32() -> UInt32 {
        if position == Self.stateSize { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// The next 64 random bits (torch's `random64()`): the first draw is the high word.
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// A float in [0, 1) from the low 24 bits of one 32-bit draw, as torch draws
    /// float uniforms.
    public mutating func uniformFloat() -> Float {
        Float(nextUInt32() & 0xFF_FFFF) * 0x1p-24
    }

    /// A double in [0, 1) from the low 53 bits of one 64-bit draw.
    public mutating func uniformDouble() -> Double {
        Double(nextUInt64() & 0x1F_FFFF_FFFF_FFFF) * 0x1p-53
    }

    /// One standard normal deviate in double precision, as torch's scalar
    /// `normal_distribution<double>` draws it: Box–Muller on two double uniforms,
    /// returning the cosine deviate and keeping the sine one for the next call.
    public mutating func normalDouble() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = uniformDouble()
        let u2 = uniformDouble()
        let radius = (-2 * log1p(-u2)).squareRoot()
        let theta = 2 * Double.pi * u1
        cachedNormal = radius * sin(theta)
        return radius * cos(theta)
    }

    /// `count` standard normal float32 values, as `torch.randn` fills a contiguous
    /// float32 tensor of `count` elements with this generator.
    public mutating func randn(count: Int) -> [Float] {
        guard count >= 16 else {
            return (0 ..< max(count, 0)).map { _ in Float(normalDouble()) }
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0 ..< count { values[i] = uniformFloat() }
        values.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start + 16 <= count {
                TorchBoxMuller.transform(buffer.baseAddress! + start)
                start += 16
            }
            // A count that is not a multiple of 16 redraws the last 16 elements.
            if count % 16 != 0 {
                for i in count - 16 ..< count { buffer[i] = uniformFloat() }
                TorchBoxMuller.transform(buffer.baseAddress! + count - 16)
            }
        }
        return values
    }

    /// `randn(count:)` for a tensor shape.
    public mutating func randn(shape: [Int]) throws -> [Float] {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw RestoreError(.invalidArgument, "randn: shape \(shape) has a negative dimension")
        }
        let (count, overflow) = shape.reduce((1, false)) { partial, side in
            let (product, overflow) = partial.0.multipliedReportingOverflow(by: side)
            return (product, partial.1 || overflow)
        }
        guard !overflow, count <= 1 << 32 else {
            throw RestoreError(.invalidArgument, "randn: shape \(shape) is too large")
        }
        return randn(count: count)
    }

    /// Regenerates the 624 state words (the Mersenne Twister's twist).
    private mutating func twist() {
        let n = Self.stateSize, m = Self.shift
        for i in 0 ..< n {
            let mixed = (state[i] & 0x8000_0000) | (state[(i + 1) % n] & 0x7FFF_FFFF)
            let twisted = (mixed >> 1) ^ (state[(i + 1) % n] & 1 == 0 ? 0 : 0x9908_B0DF)
            state[i] = state[(i + m) % n] ^ twisted
        }
        position = 0
    }
}
