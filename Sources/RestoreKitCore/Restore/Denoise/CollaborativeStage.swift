/// One BM3D stage over a whole tile: block matching, collaborative filtering of
/// every group, aggregation.
///
/// The tile is cut into bands of reference rows, `bandHeight` pixels tall and
/// aligned to the image (not the tile) so that a tile's interior gets exactly
/// the same references, groups and sums as the whole image. A band writes only
/// to rows within `searchRadius` + 8 of its references; bands two apart never
/// write to the same row, so the even bands run in parallel straight into the
/// shared sums, then the odd ones. Every output sum is therefore formed in the
/// same order whatever the thread count or tiling: the result is deterministic.
struct CollaborativeStage {
    /// How a group's spectrum is filtered.
    enum Filter {
        /// Stage 1: hard thresholding at λ·σ.
        case hardThreshold(lambda: Float)
        /// Stage 2: Wiener shrinkage with a pilot estimate.
        case wiener

        /// The patch transform of the stage: bior1.5 for thresholding, the DCT for Wiener.
        var transform: PatchTransform {
            switch self {
            case .hardThreshold: return .bior15
            case .wiener: return .dct
            }
        }
    }

    let filter: Filter
    let parameters: BM3DStageParameters
    /// Noise standard deviation of every working channel.
    let sigma: Float
    /// The 8 taps of the aggregation window.
    let window: [Float]

    /// Filters `noisy` (whose tile starts at `origin` in the image); the Wiener
    /// stage takes the stage-1 estimate as `pilot`. Channel 0 (gray, or opponent
    /// Y) of the pilot, else of the input, decides the groups of all channels.
    func run(noisy: PlaneStack, pilot: PlaneStack?, origin: (x: Int, y: Int),
             context: RestorationContext) throws -> PlaneStack {
        let width = noisy.width, height = noisy.height, channels = noisy.channels
        let step = parameters.step, radius = parameters.searchRadius
        let columns = Self.referencePositions(last: width - 8, origin: origin.x, step: step)
        let rows = Self.referencePositions(last: height - 8, origin: origin.y, step: step)
        let bandHeight = step * ((2 * radius + 7 + step - 1) / step)
        let bands = Self.bands(rows: rows, originY: origin.y, bandHeight: bandHeight)
        let geometry = bands.map { band -> (range: Range<Int>, top: Int, rows: Int) in
            let top = max(0, rows[band.rows.lowerBound] - radius)
            let bottom = min(height - 8, rows[band.rows.upperBound - 1] + radius) + 8
            return (band.rows, top, bottom - top)
        }
        let capacityRows = geometry.map(\.rows).max() ?? 0
        let maxReferenceRows = bands.map(\.rows.count).max() ?? 0
        let maxRowSpan = bands.map { rows[$0.rows.upperBound - 1] - rows[$0.rows.lowerBound] }.max() ?? 0

        var numerator = [Float](repeating: 0, count: noisy.samples.count)
        var denominator = [Float](repeating: 0, count: noisy.samples.count)
        let progress = ParallelWork(units: rows.count, context: context)
        let pool = BandWorkspacePool {
            BandWorkspace(width: width, height: height, channels: channels, withPilot: pilot != nil,
                          parameters: parameters, transform: filter.transform, window: window,
                          capacityRows: capacityRows,
                          maxReferences: maxReferenceRows * columns.count, columns: columns.count,
                          maxRowSpan: maxRowSpan)
        }
        let pilotSamples = pilot?.samples ?? []
        try noisy.samples.withUnsafeBufferPointer { noisyPlanes in
            try pilotSamples.withUnsafeBufferPointer { pilotPlanes in
                try rows.withUnsafeBufferPointer { rowList in
                    let jobs = geometry.map { band in
                        BandJob(rows: UnsafeBufferPointer(rebasing: rowList[band.range]), top: band.top,
                                rowCount: band.rows)
                    }
                    try columns.withUnsafeBufferPointer { columnList in
                        try numerator.withUnsafeMutableBufferPointer { num in
                            try denominator.withUnsafeMutableBufferPointer { den in
                                for phase in 0 ..< 2 {
                                    let phaseBands = bands.indices.filter { bands[$0].index % 2 == phase }
                                    try progress.forEach(phaseBands.count) { i in
                                        let workspace = pool.take()
                                        defer { pool.give(workspace) }
                                        try process(band: jobs[phaseBands[i]], columns: columnList,
                                                    noisy: noisyPlanes.baseAddress!,
                                                    pilot: pilot == nil ? nil : pilotPlanes.baseAddress!,
                                                    width: width, height: height, workspace: workspace,
                                                    numerator: num.baseAddress!, denominator: den.baseAddress!,
                                                    progress: progress)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = PlaneStack(width: width, height: height, channels: channels)
        for i in out.samples.indices {
            out.samples[i] = denominator[i] > 0 ? numerator[i] / denominator[i] : noisy.samples[i]
        }
        return out
    }

    /// The reference rows of one band and the pixel rows its groups touch.
    struct BandJob {
        let rows: UnsafeBufferPointer<Int>
        let top: Int
        let rowCount: Int
    }

    /// Matches, filters and aggregates one band, then adds it to the sums.
    private func process(band: BandJob, columns: UnsafeBufferPointer<Int>,
                         noisy: UnsafePointer<Float>, pilot: UnsafePointer<Float>?,
                         width: Int, height: Int, workspace: BandWorkspace,
                         numerator: UnsafeMutablePointer<Float>, denominator: UnsafeMutablePointer<Float>,
                         progress: ParallelWork) throws {
        let planeCount = width * height, channels = workspace.channels
        let positions = width - 7, spectraSize = workspace.spectraSize
        let spectraRows = band.top ..< band.top + band.rowCount
        let transform = filter.transform
        for c in 0 ..< channels {
            RowSpectra.compute(plane: noisy + c * planeCount, width: width, rows: spectraRows,
                               transform: transform, into: workspace.noisySpectra + c * spectraSize)
            if let pilot {
                RowSpectra.compute(plane: pilot + c * planeCount, width: width, rows: spectraRows,
                                   transform: transform, into: workspace.pilotSpectra! + c * spectraSize)
            }
        }
        let matcher = workspace.matcher
        try matcher.match(guide: pilot ?? noisy, rows: band.rows, columns: columns, checkpoint: progress.poll)

        let accumulator = workspace.accumulator
        accumulator.reset(top: band.top, rows: band.rowCount)
        let k = parameters.maxGroupSize, nc = columns.count
        let variance = sigma * sigma
        for r in 0 ..< band.rows.count {
            for j in 0 ..< nc {
                let ref = r * nc + j
                let size = Int(matcher.groupSizes[ref])
                let xs = UnsafePointer(matcher.memberX + ref * k), ys = UnsafePointer(matcher.memberY + ref * k)
                for c in 0 ..< channels {
                    let group = workspace.group
                    group.gather(spectra: workspace.noisySpectra + c * spectraSize, positions: positions,
                                 top: band.top, transform: transform, xs: xs, ys: ys, size: size)
                    group.haar(size: size)
                    let weight: Float
                    switch filter {
                    case .hardThreshold(let lambda):
                        let kept = HardThresholding.apply(group, size: size, threshold: lambda * sigma)
                        // A flat chroma group (gray input: R = G = B) keeps nothing; it still
                        // counts as one coefficient, else its weight is infinite.
                        weight = 1 / (variance * Float(max(kept, 1)))
                    case .wiener:
                        let pilotGroup = workspace.pilotGroup!
                        pilotGroup.gather(spectra: workspace.pilotSpectra! + c * spectraSize,
                                          positions: positions, top: band.top, transform: transform,
                                          xs: xs, ys: ys, size: size)
                        pilotGroup.haar(size: size)
                        let energy = WienerShrinkage.apply(group, pilot: pilotGroup, size: size,
                                                           noiseVariance: variance)
                        weight = energy > 0 ? 1 / (variance * energy) : 1
                    }
                    group.inverseHaar(size: size)
                    group.scatter(into: accumulator, channel: c, xs: xs, ys: ys, size: size, weight: weight)
                }
            }
            try progress.advance()
        }
        accumulator.flush(numerator: numerator, denominator: denominator, width: width, planeCount: planeCount)
    }

    /// Reference positions along one axis: every `step` pixels of the image
    /// grid (so tiles agree with the whole image), plus the `last` position so
    /// the far border is covered.
    static func referencePositions(last: Int, origin: Int, step: Int) -> [Int] {
        var positions: [Int] = []
        var p = (step - origin % step) % step
        while p <= last {
            positions.append(p)
            p += step
        }
        if positions.last != last { positions.append(last) }
        return positions
    }

    /// Consecutive reference rows grouped by their image band ⌊(origin + y) / bandHeight⌋.
    static func bands(rows: [Int], originY: Int, bandHeight: Int) -> [(index: Int, rows: Range<Int>)] {
        var bands: [(index: Int, rows: Range<Int>)] = []
        var start = 0
        for i in 1 ... rows.count {
            let index = (originY + rows[start]) / bandHeight
            if i == rows.count || (originY + rows[i]) / bandHeight != index {
                bands.append((index, start ..< i))
                start = i
            }
        }
        return bands
    }
}
