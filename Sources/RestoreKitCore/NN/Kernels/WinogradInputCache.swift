#if canImport(Glibc)
import Glibc
#endif

/// The Winograd-transformed input of one tensor for one tiling, kept on the
/// tensor (`TensorStorage.derived`) when several convolutions read it.
///
/// In a dense block every convolution reads all earlier feature maps; without
/// this each map would be transformed once per reader (five times for the
/// first map of an RRDB block). The layout is (m+2)² planes of tiles ×
/// channels: a block of tiles is a row range of each plane, which sgemm
/// reads in place.
final class WinogradInputCache: @unchecked Sendable {
    /// The tiling the transform belongs to.
    struct Key: Equatable {
        let outputTile: Int
        let height: Int
        let width: Int
        let padTop: Int
        let padLeft: Int
        let tilesX: Int
        let tilesY: Int
        let padValue: Float
    }

    let key: Key
    let channels: Int
    let tiles: Int
    let values: UnsafeMutablePointer<Float>

    init(key: Key, channels: Int, positions: Int) throws {
        self.key = key
        self.channels = channels
        tiles = key.tilesX * key.tilesY
        let count = positions * tiles * channels
        guard let raw = allocateFloats(count) else {
            throw RestoreError(.outOfMemory, "cannot allocate \(count / 262_144) MiB for transformed features")
        }
        values = raw
    }

    deinit { free(values) }

    /// The row of tile `tile` in plane `position`.
    @inline(__always)
    func row(position: Int, tile: Int) -> UnsafeMutablePointer<Float> {
        values + (position * tiles + tile) * channels
    }
}
