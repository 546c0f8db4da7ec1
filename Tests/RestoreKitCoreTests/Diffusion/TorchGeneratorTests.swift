import Testing
@testable import RestoreKitCore

@Suite struct TorchGeneratorTests {
    @Test func mersenneTwisterMatchesTheReferenceSequence() {
        // The C++ standard's mt19937 with its default seed 5489: the first output, and
        // the 10000th (which the standard requires).
        var generator = TorchGenerator(seed: 5489)
        #expect(generator.nextUInt32() == 3_499_211_612)
        for _ in 2 ..< 10000 { _ = generator.nextUInt32() }
        #expect(generator.nextUInt32() == 4_123_659_995)
    }

    @Test func onlyTheLow32BitsOfTheSeedCount() {
        var a = TorchGenerator(seed: 5), b = TorchGenerator(seed: (1 << 32) + 5)
        #expect(a.randn(count: 40) == b.randn(count: 40))
        #expect(b.seed == (1 << 32) + 5)
    }

    @Test func randnMatchesTorch() {
        // torch.randn(16, generator=torch.Generator().manual_seed(0))[:3] (block path)
        var generator = TorchGenerator(seed: 0)
        #expect(generator.randn(count: 16).prefix(3).map(\.bitPattern) == [3_213_892_485, 3_214_114_954, 3_196_079_062])
        // torch.randn(3, generator=torch.Generator().manual_seed(42)) (scalar path),
        // then torch.randn(1) from the same generator: the cached second deviate.
        generator = TorchGenerator(seed: 42)
        #expect(generator.randn(count: 3).map(\.bitPattern) == [1_051_484_846, 1_040_443_037, 1_047_533_287])
        #expect(generator.randn(count: 1) == [0.23033303])
    }

    @Test func countsThatAreNotMultiplesOf16RedrawTheLastBlock() {
        var generator = TorchGenerator(seed: 7)
        let values = generator.randn(count: 35)
        #expect(values.count == 35)
        #expect(values.allSatisfy { $0.isFinite && abs($0) < 7 })
        // 35 uniforms, then 16 more for the last block: 51 draws in all.
        var counter = TorchGenerator(seed: 7)
        for _ in 0 ..< 51 { _ = counter.nextUInt32() }
        #expect(generator.nextUInt32() == counter.nextUInt32())
    }

    @Test func shapesAreChecked() throws {
        var generator = TorchGenerator(seed: 1)
        #expect(try generator.randn(shape: [1, 4, 2, 2]).count == 16)
        #expect(try generator.randn(shape: [0, 3]) == [])
        #expect(throws: RestoreError.self) { try generator.randn(shape: [2, -1]) }
        #expect(throws: RestoreError.self) { try generator.randn(shape: [1 << 40, 1 << 40]) }
    }
}
