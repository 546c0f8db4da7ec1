import Testing
@testable import RestoreKitCore

/// The quantisation constraint's projection and aggregation, and the
/// aggregation weights the plug-and-play deblocker looks up.
@Suite struct QuantizationConstraintTests {
    /// A gray crop compressed at quality 20, its constraint, and a noisy
    /// estimate of it (a fixed pattern, so the test is repeatable). Whole
    /// blocks: a partial block's hidden samples are the padding's, which a
    /// re-encoding of the visible ones does not reproduce.
    static func fixture() throws -> (observed: JPEGPlane, constraint: QuantizationConstraint, estimate: JPEGPlane) {
        let (decoded, tables) = try DejpegTestImages.compressed(DejpegTestImages.crop(width: 64, height: 48, gray: true),
                                                                quality: 20)
        let observed = DejpegTestImages.lumaPlane(decoded)
        let constraint = QuantizationConstraint(observed: observed, steps: tables.luma, threads: 2)
        let estimate = JPEGPlane(width: observed.width, height: observed.height,
                                 samples: observed.samples.enumerated().map { $1 + 4 * (Float(($0 * 37) % 23) - 11) })
        return (observed, constraint, estimate)
    }

    @Test("one estimate at weight 1 and the observation at 0 aggregate to its projection")
    func aggregateOfOneIsTheProjection() throws {
        let (_, constraint, estimate) = try Self.fixture()
        var projected = estimate
        constraint.project(&projected, threads: 2)
        let weights = [Float](repeatElement([1, 0], count: 64).joined())
        let aggregated = constraint.aggregate([estimate], weights: weights, threads: 2)
        let worst = zip(projected.samples, aggregated.samples).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-3, "max |aggregate − projection| \(worst)")
        #expect(zip(projected.samples, estimate.samples).contains { abs($0 - $1) > 1 }, "the estimate must be moved")
    }

    @Test("any weights give an image inside the constraint")
    func aggregateStaysInside() throws {
        let (observed, constraint, estimate) = try Self.fixture()
        let weights = [Float](repeatElement([2, -0.5, 0.3], count: 64).joined())
        let aggregated = constraint.aggregate([estimate, observed], weights: weights, threads: 2)
        let levels = QuantizationConstraint(observed: aggregated, steps: constraint.steps.map { UInt16($0) }, threads: 1).levels
        #expect(levels == constraint.levels)
    }

    @Test("the observation alone at weight 1 gives the dequantised image back")
    func observationAlone() throws {
        let (observed, constraint, estimate) = try Self.fixture()
        let weights = [Float](repeatElement([0, 1], count: 64).joined())
        let aggregated = constraint.aggregate([estimate], weights: weights, threads: 2)
        // The decoder rounded the same image to 8 bits, and clipped it to 0–255.
        let unclipped = zip(observed.samples, aggregated.samples).filter { $0.0 > 0 && $0.0 < 255 }
        let worst = unclipped.map { abs($0 - $1) }.max()!
        #expect(worst <= 1.5, "max |aggregate − decoded| \(worst) where the decoder did not clip")
    }

    @Test("the weights of a calibration quality are its own; others interpolate; beyond the range, the nearest")
    func weightsInterpolate() throws {
        let size = 64 * JPEGAggregationWeights.stride
        #expect(JPEGAggregationWeights.weights.count == JPEGAggregationWeights.qualities.count * size)
        for (index, quality) in JPEGAggregationWeights.qualities.enumerated() {
            let own = Array(JPEGAggregationWeights.weights[index * size ..< (index + 1) * size])
            #expect(Self.close(JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: quality).luma), own),
                    "quality \(quality)")
        }
        let (first, last) = (JPEGAggregationWeights.qualities.first!, JPEGAggregationWeights.qualities.last!)
        #expect(Self.close(JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: 1).luma),
                           JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: first).luma)))
        #expect(Self.close(JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: 100).luma),
                           JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: last).luma)))
        let index = try #require(JPEGAggregationWeights.qualities.firstIndex(of: 20))
        let (below, above) = (JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: 20).luma),
                              JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: JPEGAggregationWeights.qualities[index + 1]).luma))
        let between = JPEGAggregationWeights.interpolated(steps: JPEGTables.ijg(quality: 25).luma)
        #expect(zip(between, zip(below, above)).allSatisfy { $0 >= min($1.0, $1.1) - 1e-6 && $0 <= max($1.0, $1.1) + 1e-6 })
        #expect(between != below && between != above)
    }

    /// Equal up to float rounding of the interpolation.
    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 }
    }
}
