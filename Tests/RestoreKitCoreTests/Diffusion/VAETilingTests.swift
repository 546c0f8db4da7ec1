import Foundation
import Testing
@testable import RestoreKitCore

/// The VAE's tiling against the whole computation on a tiny random AutoencoderKL of
/// three levels (the image four times the latents): bands of a few latent rows,
/// several of them, uneven ones, on smooth content and on noise. Each group norm
/// takes the whole map's statistics and the attention runs on the whole latent
/// grid, so bands change only the convolutions' rounding: measured at most 8e-6
/// (decoded images and latents alike, whose values reach 10 to 14), checked
/// against 1e-4, far inside 1/255 of an image in 0…1 terms (2/255 ≈ 8e-3 of the
/// decoder's −1…1 output).
@Suite struct VAETilingTests {
    static let tolerance: Float = 1e-4

    /// The tiny VAE of `DiffusionWeightFileTests`, three levels wide 8, 8, 16.
    static func withVAE(_ body: (AutoencoderKL) throws -> Void) throws {
        try DiffusionWeightFileTests.inFolder { folder in
            let path = try DiffusionWeightFileTests.vae(channels: [8, 8, 16]).write(in: folder, "vae")
            try body(try AutoencoderKL(folder: path))
        }
    }

    /// Low-frequency content: a few slow cosines per channel, amplitude `amplitude`.
    static func smooth(_ channels: Int, _ height: Int, _ width: Int, amplitude: Float) throws -> Tensor {
        let t = try Tensor(height: height, width: width, channels: channels)
        for y in 0 ..< height {
            for x in 0 ..< width {
                for c in 0 ..< channels {
                    let u = Float(x) / Float(width), v = Float(y) / Float(height), k = Float(c + 1)
                    t[x, y, c] = amplitude * cos(2 * .pi * (0.3 * k * u + 0.2 * (4 - k) * v) + k)
                }
            }
        }
        return t
    }

    @Test func tiledDecodeEqualsTheWholeDecode() throws {
        try Self.withVAE { vae in
            for latents in [try Self.smooth(4, 12, 10, amplitude: 2), try NNTest.tensor(4, 12, 10, seed: 4)] {
                let whole = try vae.decode(latents, tiling: .whole, threads: 2)
                #expect((whole.height, whole.width, whole.channels) == (48, 40, 3))
                #expect(DiffusionWeightFileTests.maxMagnitude(whole) > 1)
                for rows in [1, 2, 5, 11] {
                    let tiled = try vae.decode(latents, tiling: .rows(rows), threads: 2)
                    let difference = DiffusionWeightFileTests.maxDifference(tiled, whole)
                    #expect(difference <= Self.tolerance, "bands of \(rows) latent rows: max |Δ| \(difference)")
                }
                // Small latents are decoded whole by default; so are bands taller than the latents.
                #expect(try vae.decode(latents, threads: 2).interleaved() == whole.interleaved())
                #expect(try vae.decode(latents, tiling: .rows(12), threads: 2).interleaved() == whole.interleaved())
            }
        }
    }

    @Test func tiledEncodeEqualsTheWholeEncode() throws {
        try Self.withVAE { vae in
            for image in [try Self.smooth(3, 48, 40, amplitude: 1), try NNTest.tensor(3, 48, 40, seed: 5)] {
                let whole = try vae.encode(image, tiling: .whole, threads: 2)
                #expect((whole.height, whole.width, whole.channels) == (12, 10, 4))
                #expect(DiffusionWeightFileTests.maxMagnitude(whole) > 1)
                for rows in [1, 3, 4, 7] {
                    let tiled = try vae.encode(image, tiling: .rows(rows), threads: 2)
                    let difference = DiffusionWeightFileTests.maxDifference(tiled, whole)
                    #expect(difference <= Self.tolerance, "bands of \(rows) latent rows: max |Δ| \(difference)")
                }
                #expect(try vae.encode(image, threads: 2).interleaved() == whole.interleaved())
            }
        }
    }

    @Test func automaticTilingBandsOnlyLargeLatents() throws {
        let small = try AutoencoderKL.Tiling.automatic.bands(latentHeight: 64, width: 64)
        #expect(small.ranges(height: 512) == [0 ..< 512])
        // 128 × 128 latents (1024² pixels): bands of 8 latent rows, 64 image rows.
        let large = try AutoencoderKL.Tiling.automatic.bands(latentHeight: 128, width: 128)
        #expect(large.latentRows == 8 && large.ranges(height: 1024).count == 16)
        #expect(large.ranges(height: 1024).allSatisfy { $0.count == 64 })
        // The latent resolution is never banded: its maps are as small as the attention block's.
        #expect(large.ranges(height: 128) == [0 ..< 128])
        // A very wide map still gets bands of at least one row.
        #expect(try AutoencoderKL.Tiling.automatic.bands(latentHeight: 8, width: 4096).latentRows == 1)
        let uneven = try AutoencoderKL.Tiling.rows(5).bands(latentHeight: 12, width: 10)
        #expect(uneven.ranges(height: 24) == [0 ..< 10, 10 ..< 20, 20 ..< 24])
    }

    @Test func invalidTilingIsRefused() throws {
        try Self.withVAE { vae in
            for rows in [0, -3] {
                DiffusionWeightFileTests.expectError(.invalidArgument, "VAE tiling needs bands of at least 1 latent row, not \(rows)") {
                    _ = try vae.decode(NNTest.tensor(4, 6, 6), tiling: .rows(rows), threads: 1)
                }
                DiffusionWeightFileTests.expectError(.invalidArgument, "at least 1 latent row, not \(rows)") {
                    _ = try vae.encode(NNTest.tensor(3, 24, 24), tiling: .rows(rows), threads: 1)
                }
            }
        }
    }
}
