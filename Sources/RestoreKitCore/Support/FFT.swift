/// Fast Fourier transforms for signals and images of any size.
///
/// - `FFT.RealPlan2D` turns a real `width × height` plane into its half
///   spectrum (`FFT.Spectrum2D`) and back: the workhorse of FFT-based
///   filtering and deconvolution.
/// - `FFT.ComplexPlan` transforms batches of 1-D complex signals of one length.
///
/// Lengths whose prime factors are all 2, 3 and 5 ("fast sizes") run as
/// mixed-radix (4, 2, 3, 5) Stockham transforms over precomputed twiddles.
/// Any other length goes through Bluestein's chirp-z algorithm on a fast size
/// of at least 2n − 1: exact as well, but several times slower, so callers that
/// may pad their data (with reflection, say) should pad to `fastSize(atLeast:)`.
///
/// Conventions (numpy's): the forward transform is X[k] = Σₙ x[n] e^(−2πi·kn/N),
/// unscaled; the inverse carries the 1/N, so `inverse(forward(x)) == x` up to
/// rounding. Samples are float32; twiddles are computed in double precision,
/// so the round trip is accurate to a few float ulps times log N.
///
/// Plans are immutable and `Sendable`: one plan serves any number of threads.
/// `shared(…)` returns plans from a process-wide cache, so a size pays for its
/// twiddles once.
public enum FFT {
    /// Whether `n` (≥ 1) has no prime factors other than 2, 3 and 5.
    public static func isFastSize(_ n: Int) -> Bool {
        guard n >= 1 else { return false }
        var m = n
        for p in [2, 3, 5] {
            while m % p == 0 { m /= p }
        }
        return m == 1
    }

    /// The smallest fast size (2^a·3^b·5^c) that is at least `n`.
    public static func fastSize(atLeast n: Int) -> Int {
        var size = max(1, n)
        while !isFastSize(size) { size += 1 }
        return size
    }

    /// The prime factors 2, 3, 5 of a fast size as Stockham radices: fours
    /// first (the cheapest butterfly per point), then a two, threes and fives.
    static func radices(of n: Int) -> [Int] {
        var m = n
        var result: [Int] = []
        while m % 4 == 0 { result.append(4); m /= 4 }
        if m % 2 == 0 { result.append(2); m /= 2 }
        while m % 3 == 0 { result.append(3); m /= 3 }
        while m % 5 == 0 { result.append(5); m /= 5 }
        precondition(m == 1, "\(n) is not a fast size")
        return result
    }
}
