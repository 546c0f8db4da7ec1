/// The VAE on images larger than one tile: each overlapping tile encoded or
/// decoded on its own and the results blended with `LatentTiles`' feathered
/// weights (latents in latent space, images in pixel space). Memory follows
/// the tile instead of the image; tiles normalise with their own statistics,
/// so the result differs from the whole computation, and the blending hides
/// the difference at the borders. An image within one tile gets the whole
/// computation exactly.
extension AutoencoderKL {
    /// The tiles (latent pixels) the generative recipes use: 512² pixels, what SD
    /// was trained on; larger would cost memory by the square of the side.
    public static let tileSide = 64
    /// Their least overlap: 64 pixels of blending.
    public static let tileOverlap = 8

    /// `latentDistribution` of `image`, tile by tile (`tile` latent pixels a side
    /// overlapping by `overlap`).
    public func latentDistribution(_ image: Tensor, tile: Int, overlap: Int, threads: Int,
                                   onLayer: (() throws -> Void)? = nil) throws -> (mean: Tensor, deviation: Tensor) {
        let d = configuration.downscale
        let tiles = LatentTiles(height: image.height / d, width: image.width / d, tile: tile, overlap: overlap)
        // One tile, or sides the VAE refuses (the whole computation says why).
        guard tiles.windows.count > 1, image.height % d == 0, image.width % d == 0 else {
            return try latentDistribution(image, threads: threads, onLayer: onLayer)
        }
        let c = configuration.latentChannels
        var mean = [Float](repeating: 0, count: c * tiles.height * tiles.width), deviation = mean
        for window in tiles.windows {
            let part = try latentDistribution(tiles.crop(image, scale: d, window), threads: threads, onLayer: onLayer)
            tiles.accumulate(part.mean.planar(), window, channels: c, into: &mean)
            tiles.accumulate(part.deviation.planar(), window, channels: c, into: &deviation)
        }
        tiles.normalise(&mean)
        tiles.normalise(&deviation)
        func tensor(_ planes: [Float]) throws -> Tensor {
            try planes.withUnsafeBufferPointer { try Tensor(planar: $0, height: tiles.height, width: tiles.width, channels: c) }
        }
        return (try tensor(mean), try tensor(deviation))
    }

    /// `decode(latents)`, tile by tile (`tile` latent pixels a side overlapping
    /// by `overlap`), the decoded tiles blended in pixel space.
    public func decode(_ latents: Tensor, tile: Int, overlap: Int, threads: Int,
                       onLayer: (() throws -> Void)? = nil) throws -> Tensor {
        let tiles = LatentTiles(height: latents.height, width: latents.width, tile: tile, overlap: overlap)
        guard tiles.windows.count > 1 else { return try decode(latents, threads: threads, onLayer: onLayer) }
        let d = configuration.downscale, c = configuration.outChannels
        let (height, width) = (latents.height * d, latents.width * d)
        var sum = [Float](repeating: 0, count: c * height * width)
        var total = [Float](repeating: 0, count: height * width)
        for window in tiles.windows {
            let part = try decode(tiles.crop(latents, scale: 1, window), threads: threads, onLayer: onLayer).planar()
            let rows = window.rows.lowerBound * d ..< window.rows.upperBound * d
            let columns = window.columns.lowerBound * d ..< window.columns.upperBound * d
            let wy = LatentTiles.ramp(rows, length: height, overlap: overlap * d)
            let wx = LatentTiles.ramp(columns, length: width, overlap: overlap * d)
            for y in 0 ..< rows.count {
                for x in 0 ..< columns.count {
                    let weight = wy[y] * wx[x], target = (rows.lowerBound + y) * width + columns.lowerBound + x
                    total[target] += weight
                    for k in 0 ..< c {
                        sum[k * height * width + target] += weight * part[(k * rows.count + y) * columns.count + x]
                    }
                }
            }
        }
        for i in sum.indices { sum[i] /= total[i % (height * width)] }
        return try sum.withUnsafeBufferPointer { try Tensor(planar: $0, height: height, width: width, channels: c) }
    }
}
