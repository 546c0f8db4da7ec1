import Testing
@testable import RestoreKitCore

@Suite struct DejpegBlockDCTTests {
    /// Forward then inverse gives the block back; energy is kept (orthonormal).
    @Test func roundTripsAndKeepsEnergy() {
        // An irregular block: 37 and 64 are coprime, so all values differ.
        let samples = (0 ..< 64).map { Float(($0 * 37) % 64 * 4) - 128 }
        var block = samples
        block.withUnsafeMutableBufferPointer { BlockDCT.forward($0.baseAddress!) }
        let energy = samples.reduce(0) { $0 + $1 * $1 }, coefficientEnergy = block.reduce(0) { $0 + $1 * $1 }
        #expect(abs(energy - coefficientEnergy) < 1e-4 * energy)
        block.withUnsafeMutableBufferPointer { BlockDCT.inverse($0.baseAddress!) }
        #expect(zip(block, samples).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    /// JPEG's scale: a flat block of value v has DC 8·v and no AC; a
    /// horizontal cosine of frequency 1 lands in coefficient (0, 1) only.
    @Test func usesJPEGScaleAndOrder() {
        var flat = [Float](repeating: 10, count: 64)
        flat.withUnsafeMutableBufferPointer { BlockDCT.forward($0.baseAddress!) }
        #expect(abs(flat[0] - 80) < 1e-4)
        #expect(flat.dropFirst().allSatisfy { abs($0) < 1e-4 })
        var wave = (0 ..< 64).map { BlockDCT.basis[8 + $0 % 8] }
        wave.withUnsafeMutableBufferPointer { BlockDCT.forward($0.baseAddress!) }
        #expect(abs(wave[1] - (8 as Float).squareRoot()) < 1e-4)
        #expect(wave.enumerated().allSatisfy { $0.offset == 1 || abs($0.element) < 1e-4 })
    }
}
