#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RestoreKitCore

@Suite("Degrade: seeded generator")
struct DegradeSeededGeneratorTests {
    @Test("xoshiro256** seeded by SplitMix64 gives the pinned bits (checked against a Python reference)")
    func pinnedOutputs() {
        func first4(_ seed: UInt64, _ stream: UInt64) -> [UInt64] {
            var g = SeededGenerator(seed: seed, stream: stream)
            return (0 ..< 4).map { _ in g.next() }
        }
        #expect(first4(42, 0) == [0xE9D3_2AD1_45B0_5788, 0x469A_007E_9F73_0DBC,
                                  0x20A9_A510_0D03_0455, 0xE636_9A0E_D95E_7ED3])
        #expect(first4(42, 7) == [0x7ECF_00F5_D6A0_A7C2, 0xA740_A9A3_9C87_34A6,
                                  0xAC9C_4011_4189_C95F, 0x2775_A7F1_C075_4394])
        #expect(first4(0, 0) == [0xBE83_0D84_F1B9_F86F, 0xBFE9_8527_91E0_A4C0,
                                 0xAB15_C0C3_FB44_E7D1, 0x05D4_9DB7_B0E6_B0FE])
    }

    @Test("same seed, same draws of every kind; another seed or stream, other draws")
    func determinism() {
        func draws(_ seed: UInt64, stream: UInt64 = 0) -> [Double] {
            var g = SeededGenerator(seed: seed, stream: stream)
            return (0 ..< 200).flatMap { _ in
                [g.nextUnit(), g.nextNormal(), Double(g.nextPoisson(mean: 3)),
                 Double(g.nextPoisson(mean: 80)), Double(g.integer(in: 7 ... 21))]
            }
        }
        #expect(draws(1) == draws(1))
        #expect(draws(1) != draws(2))
        #expect(draws(1) != draws(1, stream: 1))
    }

    @Test("uniform draws lie in [0, 1) with mean ½ and variance 1/12")
    func uniform() {
        var g = SeededGenerator(seed: 3)
        let values = (0 ..< 100_000).map { _ in g.nextUnit() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let m = DegradeTestSupport.moments(values)
        #expect(abs(m.mean - 0.5) < 0.005)
        #expect(abs(m.variance - 1.0 / 12) < 0.002)
    }

    @Test("normal deviates have mean 0, variance 1 and Gaussian tails")
    func normal() {
        var g = SeededGenerator(seed: 4)
        let values = (0 ..< 200_000).map { _ in g.nextNormal() }
        let m = DegradeTestSupport.moments(values)
        #expect(abs(m.mean) < 0.01)
        #expect(abs(m.variance - 1) < 0.015)
        let beyond2 = Double(values.filter { abs($0) > 2 }.count) / Double(values.count)
        #expect(abs(beyond2 - 0.0455) < 0.003)
    }

    @Test("Poisson deviates have mean and variance λ on both sides of the method switch", arguments: [0.3, 4.0, 9.99, 10.0, 37.5, 250.0])
    func poisson(mean: Double) {
        var g = SeededGenerator(seed: 5)
        let n = 50_000
        let values = (0 ..< n).map { _ in Double(g.nextPoisson(mean: mean)) }
        #expect(values.allSatisfy { $0 >= 0 })
        let m = DegradeTestSupport.moments(values)
        #expect(abs(m.mean - mean) < 5 * (mean / Double(n)).squareRoot())
        #expect(abs(m.variance / mean - 1) < 0.04)
        // P(0) = e^−λ is what the count method must get right at small means.
        if mean < 1 {
            let zeros = Double(values.filter { $0 == 0 }.count) / Double(n)
            #expect(abs(zeros - exp(-mean)) < 0.01)
        }
    }

    @Test("integers cover the closed range evenly; weighted choice follows the weights")
    func integersAndChoice() {
        var g = SeededGenerator(seed: 6)
        var counts = [Int](repeating: 0, count: 8)
        for _ in 0 ..< 80_000 { counts[g.integer(in: 3 ... 10) - 3] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
        let weights = [0.45, 0.25, 0.12, 0.03, 0.12, 0.03]
        var chosen = [Int](repeating: 0, count: weights.count)
        for _ in 0 ..< 100_000 { chosen[g.choose(weights: weights)] += 1 }
        for (count, weight) in zip(chosen, weights) {
            #expect(abs(Double(count) / 100_000 - weight) < 0.006)
        }
    }

    @Test("the portable logarithm agrees with libm to within 2 ulp")
    func portableLogarithm() {
        var g = SeededGenerator(seed: 7)
        let inputs = (0 ..< 20_000).map { _ in exp(g.uniform(-700, 700)) } + [1, 2, 0.5, 1e-300, 1e-310, 5e-324, 1.4142135623730951, 1.4142135623730954]
        for x in inputs {
            let expected = log(x)
            #expect(abs(portableLog(x) - expected) <= 2 * max(expected.ulp, Double.leastNormalMagnitude), "log(\(x))")
        }
    }

    @Test("log k! matches lgamma(k + 1)")
    func logFactorials() {
        for k in 0 ..< 400 {
            #expect(abs(logFactorial(k) - lgamma(Double(k + 1))) < 1e-9 * max(1, lgamma(Double(k + 1))))
        }
    }
}
