/// Chooses the tile side when the caller asks for "auto".
enum TileSize {
    /// Rough working memory of the restorers per tile pixel and channel, in
    /// bytes (several float copies of the tile plus transform buffers).
    static let bytesPerPixelChannel = 64

    /// The largest power of two from 256 to 2048 whose tile working set fits in
    /// a quarter of the available memory (256 when that cannot be read).
    static func automatic(channels: Int) -> Int {
        guard let available = ProcessorInfo.availableMemory else { return 256 }
        var side = 2048
        while side > 256, side * side * max(channels, 1) * bytesPerPixelChannel > available / 4 {
            side /= 2
        }
        return side
    }
}
