import Testing
@testable import RestoreKitCore

/// Latent tiles: they cover the latents with the stated overlap, one tile leaves a
/// prediction as it is, and tiles that disagree blend without a step.
@Suite struct LatentTilesTests {
    @Test func spansCoverWithOverlap() {
        for length in [1, 15, 16, 17, 40, 48, 64, 65, 100, 257] {
            for (tile, overlap) in [(16, 4), (64, 16), (32, 0), (8, 4)] {
                let spans = LatentTiles.spans(length, tile: tile, overlap: overlap)
                #expect(spans.first?.lowerBound == 0 && spans.last?.upperBound == length)
                #expect(spans.allSatisfy { $0.count == min(tile, length) })
                for (a, b) in zip(spans, spans.dropFirst()) {
                    #expect(a.upperBound - b.lowerBound >= overlap, "length \(length), tile \(tile): \(spans)")
                }
            }
        }
    }

    @Test func oneTileLeavesThePredictionAsItIs() throws {
        let tiles = LatentTiles(height: 6, width: 5, tile: 8, overlap: 2)
        #expect(tiles.windows.count == 1)
        let values = (0 ..< 60).map { Float($0) * 0.37 - 3 }
        var sum = [Float](repeating: 0, count: 60)
        let window = tiles.windows[0]
        let crop = try tiles.crop(values, channels: 2, window)
        tiles.accumulate(crop.planar(), window, channels: 2, into: &sum)
        tiles.normalise(&sum)
        #expect(sum == values)
    }

    /// Each tile predicts a smooth ramp plus its own offset (tiles disagreeing by
    /// up to 0.2): blended, no neighbouring step exceeds the ramp's plus the
    /// offset difference spread over the overlap.
    @Test func disagreeingTilesBlendWithoutASeam() throws {
        let (height, width, overlap) = (40, 48, 4)
        let tiles = LatentTiles(height: height, width: width, tile: 16, overlap: overlap)
        #expect(tiles.windows.count >= 9)
        var sum = [Float](repeating: 0, count: height * width)
        for (n, window) in tiles.windows.enumerated() {
            let offset = Float(n % 3) * 0.1
            var prediction: [Float] = []
            for y in window.rows {
                for x in window.columns { prediction.append(Float(x + y) * 0.01 + offset) }
            }
            tiles.accumulate(prediction, window, channels: 1, into: &sum)
        }
        tiles.normalise(&sum)
        var largest: Float = 0
        for y in 0 ..< height {
            for x in 1 ..< width { largest = max(largest, abs(sum[y * width + x] - sum[y * width + x - 1])) }
        }
        for y in 1 ..< height {
            for x in 0 ..< width { largest = max(largest, abs(sum[y * width + x] - sum[(y - 1) * width + x])) }
        }
        // A stitched seam would step by up to 0.2; feathered, each pixel of the overlap carries a share.
        #expect(largest <= 0.01 + 0.2 / Float(overlap + 1) + 1e-5, "largest step \(largest)")
    }
}
