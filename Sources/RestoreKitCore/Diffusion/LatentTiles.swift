/// Overlapping tiles over a latent image and the feathered weights that blend
/// the model's predictions on them (MultiDiffusion, Bar-Tal et al. 2023): each
/// tile's prediction counts fully in its interior and fades out over the overlap
/// towards a border it shares with another tile, so blending at every step
/// leaves no seam. Latents within one tile are one window of weight 1, which
/// leaves a prediction unchanged.
struct LatentTiles {
    struct Window {
        let rows: Range<Int>
        let columns: Range<Int>
        /// Weight of each latent pixel of the window, row by row.
        let weights: [Float]
    }

    let height: Int
    let width: Int
    let windows: [Window]
    /// The sum of the windows' weights at each latent pixel (all positive).
    private let total: [Float]

    /// Tiles of at most `tile` latent pixels a side overlapping by at least `overlap`.
    init(height: Int, width: Int, tile: Int, overlap: Int) {
        self.height = height
        self.width = width
        let rows = Self.spans(height, tile: tile, overlap: overlap)
        let columns = Self.spans(width, tile: tile, overlap: overlap)
        var total = [Float](repeating: 0, count: height * width)
        var windows: [Window] = []
        for r in rows {
            let wy = Self.ramp(r, length: height, overlap: overlap)
            for c in columns {
                let wx = Self.ramp(c, length: width, overlap: overlap)
                var weights = [Float](repeating: 0, count: r.count * c.count)
                for y in 0 ..< r.count {
                    for x in 0 ..< c.count {
                        weights[y * c.count + x] = wy[y] * wx[x]
                        total[(r.lowerBound + y) * width + c.lowerBound + x] += wy[y] * wx[x]
                    }
                }
                windows.append(Window(rows: r, columns: c, weights: weights))
            }
        }
        self.windows = windows
        self.total = total
    }

    /// Latent pixels over all windows (overlaps counted once per window): the work
    /// of one tiled evaluation.
    var coveredArea: Int { windows.reduce(0) { $0 + $1.rows.count * $1.columns.count } }

    /// The window's part of `planar` latents (channels planes of height × width).
    func crop(_ planar: [Float], channels: Int, _ window: Window) throws -> Tensor {
        let (h, w) = (window.rows.count, window.columns.count)
        var part = [Float](repeating: 0, count: channels * h * w)
        for c in 0 ..< channels {
            for y in 0 ..< h {
                let source = (c * height + window.rows.lowerBound + y) * width + window.columns.lowerBound
                for x in 0 ..< w { part[(c * h + y) * w + x] = planar[source + x] }
            }
        }
        return try part.withUnsafeBufferPointer { try Tensor(planar: $0, height: h, width: w, channels: channels) }
    }

    /// The part of `image` under the window, `scale` image pixels a latent pixel.
    func crop(_ image: Tensor, scale: Int, _ window: Window) throws -> Tensor {
        let (h, w, c) = (window.rows.count * scale, window.columns.count * scale, image.channels)
        let part = try Tensor(height: h, width: w, channels: c)
        for y in 0 ..< h {
            let source = ((window.rows.lowerBound * scale + y) * image.width + window.columns.lowerBound * scale) * c
            (part.pointer + y * w * c).update(from: image.pointer + source, count: w * c)
        }
        return part
    }

    /// Adds the window's `prediction` (planar, the window's size), weighted, into `sum`.
    func accumulate(_ prediction: [Float], _ window: Window, channels: Int, into sum: inout [Float]) {
        let (h, w) = (window.rows.count, window.columns.count)
        for c in 0 ..< channels {
            for y in 0 ..< h {
                let target = (c * height + window.rows.lowerBound + y) * width + window.columns.lowerBound
                for x in 0 ..< w { sum[target + x] += window.weights[y * w + x] * prediction[(c * h + y) * w + x] }
            }
        }
    }

    /// `sum` of weighted predictions divided by the weights: the blended prediction.
    func normalise(_ sum: inout [Float]) {
        let plane = height * width
        for i in sum.indices { sum[i] /= total[i % plane] }
    }

    /// Spans of at most `tile` covering 0..<length, evenly spread, neighbours
    /// overlapping by at least `overlap`.
    static func spans(_ length: Int, tile: Int, overlap: Int) -> [Range<Int>] {
        guard length > tile else { return [0 ..< length] }
        let stride = tile - overlap
        let count = (length - overlap + stride - 1) / stride
        return (0 ..< count).map { i in
            let start = (i * (length - tile) + (count - 1) / 2) / (count - 1)
            return start ..< start + tile
        }
    }

    /// Weights along one span: 1 inside, rising over `overlap` pixels from a side
    /// that another span shares.
    static func ramp(_ span: Range<Int>, length: Int, overlap: Int) -> [Float] {
        (0 ..< span.count).map { k in
            var weight: Float = 1
            if span.lowerBound > 0, k < overlap { weight = min(weight, Float(k + 1) / Float(overlap + 1)) }
            let fromEnd = span.count - 1 - k
            if span.upperBound < length, fromEnd < overlap {
                weight = min(weight, Float(fromEnd + 1) / Float(overlap + 1))
            }
            return weight
        }
    }
}
