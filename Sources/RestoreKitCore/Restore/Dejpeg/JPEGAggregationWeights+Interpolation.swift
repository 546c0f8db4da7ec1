extension JPEGAggregationWeights {
    /// Weights per frequency: the estimates' and then the observation's.
    static var stride: Int { sigmaFactors.count + 1 }

    /// The weights for a file quantised with luma steps `steps`: those of the
    /// calibration qualities whose predicted noise levels
    /// (`LumaDeblocking.sigma`) bracket the steps' own, interpolated linearly
    /// in that level; the nearest calibration's outside their range. Any
    /// table is covered, not only libjpeg's.
    static func interpolated(steps: [UInt16]) -> [Float] {
        let sigma = LumaDeblocking(steps: steps).sigma
        // Higher quality, smaller steps, lower predicted noise.
        let levels = qualities.map { LumaDeblocking(steps: JPEGTables.ijg(quality: $0).luma).sigma }
        let size = 64 * stride
        func calibrated(_ index: Int) -> ArraySlice<Float> { weights[index * size ..< (index + 1) * size] }
        guard sigma < levels[0] else { return Array(calibrated(0)) }
        guard let upper = levels.firstIndex(where: { $0 <= sigma }) else { return Array(calibrated(levels.count - 1)) }
        let lower = upper - 1, t = (levels[lower] - sigma) / (levels[lower] - levels[upper])
        return zip(calibrated(lower), calibrated(upper)).map { $0 + t * ($1 - $0) }
    }
}
