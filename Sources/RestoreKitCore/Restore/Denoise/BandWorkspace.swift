/// Everything one band of a stage needs besides its inputs: the row spectra of
/// its rows, the matcher, group buffers and the aggregation sums. A few tens of
/// megabytes for wide tiles, so workspaces are reused through a pool.
final class BandWorkspace {
    let channels: Int
    /// Floats per channel in `noisySpectra` and `pilotSpectra`.
    let spectraSize: Int
    let noisySpectra: UnsafeMutablePointer<Float>
    let pilotSpectra: UnsafeMutablePointer<Float>?
    let matcher: BlockMatcher
    let group: PatchGroup
    let pilotGroup: PatchGroup?
    let accumulator: SpectralAccumulator

    init(width: Int, height: Int, channels: Int, withPilot: Bool, parameters: BM3DStageParameters,
         transform: PatchTransform, window: [Float], capacityRows: Int, maxReferences: Int, columns: Int,
         maxRowSpan: Int) {
        self.channels = channels
        spectraSize = capacityRows * (width - 7) * 8
        noisySpectra = .allocate(capacity: channels * spectraSize)
        pilotSpectra = withPilot ? .allocate(capacity: channels * spectraSize) : nil
        matcher = BlockMatcher(width: width, height: height, radius: parameters.searchRadius,
                               maxMatches: parameters.maxGroupSize, threshold: parameters.matchThreshold,
                               maxReferences: maxReferences, columns: columns, maxRowSpan: maxRowSpan)
        group = PatchGroup(capacity: parameters.maxGroupSize)
        pilotGroup = withPilot ? PatchGroup(capacity: parameters.maxGroupSize) : nil
        accumulator = SpectralAccumulator(width: width, channels: channels, capacityRows: capacityRows,
                                          transform: transform, window: window)
    }

    deinit {
        noisySpectra.deallocate()
        pilotSpectra?.deallocate()
    }
}

/// Band workspaces not in use, handed to whichever thread needs one.
final class BandWorkspacePool: @unchecked Sendable {
    private let make: () -> BandWorkspace
    private var idle: [BandWorkspace] = []
    private let lock = Lock()

    init(make: @escaping () -> BandWorkspace) {
        self.make = make
    }

    func take() -> BandWorkspace {
        lock.withLock { idle.popLast() } ?? make()
    }

    func give(_ workspace: BandWorkspace) {
        lock.withLock { idle.append(workspace) }
    }
}
