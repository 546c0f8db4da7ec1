extension AutoencoderKL {
    /// How `encode` and `decode` evaluate the levels above the latent
    /// resolution: whole, or in bands of rows, one band at a time.
    ///
    /// Banding shrinks what each layer needs besides the maps between group norms
    /// (normalised and upsampled copies, convolution scratch) to a band, and lets a
    /// block's output overwrite its input. It changes nothing in the result: a 3×3
    /// convolution's band reads its input band plus one row either side, each group
    /// norm takes its statistics from the whole map before any band is normalised,
    /// and the attention block runs on the whole latent grid. So the maps between
    /// norms stay whole and memory still grows with the image, more slowly. Tiles
    /// that normalise themselves and are blended afterwards (diffusers'
    /// `tiled_decode`) would bound memory, but change every pixel whose tile's
    /// statistics differ from the image's, smooth gradients included.
    public enum Tiling: Sendable, Equatable {
        /// Bands of about `automaticBandPixels` latent pixels once the latents
        /// have more than `automaticLimit` pixels; the whole map below.
        case automatic
        /// Every level at once.
        case whole
        /// Bands of this many latent rows (8 image rows each in Stable Diffusion).
        case rows(Int)

        /// Latent pixels (64 × 64: a 512 × 512 image in Stable Diffusion) up to which
        /// `automatic` runs the whole map.
        public static let automaticLimit = 64 * 64
        /// Latent pixels per band under `automatic`.
        public static let automaticBandPixels = 1024

        /// The bands for latents of `height` × `width` pixels.
        func bands(latentHeight height: Int, width: Int) throws -> RowBands {
            switch self {
            case .whole:
                return RowBands(latentRows: height, latentHeight: height)
            case .automatic:
                let rows = height * width > Self.automaticLimit ? max(1, Self.automaticBandPixels / width) : height
                return RowBands(latentRows: min(rows, height), latentHeight: height)
            case .rows(let rows):
                guard rows > 0 else {
                    throw RestoreError(.invalidArgument, "VAE tiling needs bands of at least 1 latent row, not \(rows)")
                }
                return RowBands(latentRows: min(rows, height), latentHeight: height)
            }
        }
    }
}

/// Row bands of the VAE's feature maps, whose heights are the latent grid's
/// times a power of two (a fraction of the image's in the encoder, a multiple of
/// the latents' in the decoder), and the band-by-band evaluation of the
/// convolutions its levels are made of.
struct RowBands {
    /// Rows per band at the latent resolution.
    let latentRows: Int
    /// Rows of the latent grid.
    let latentHeight: Int

    /// The bands of a map of `height` rows: `latentRows` scaled to its resolution.
    /// A map at the latent resolution is one band: it is no larger than the
    /// attention block's, which takes the whole map anyway, and bands of a few
    /// rows there would only make its wide convolutions slower.
    func ranges(height: Int) -> [Range<Int>] {
        guard height > latentHeight else { return [0 ..< height] }
        let step = latentRows * (height / latentHeight)
        return stride(from: 0, to: height, by: step).map { $0 ..< min(height, $0 + step) }
    }

    /// Whether a map of `height` rows is one band, computed as a whole.
    func isWhole(height: Int) -> Bool { ranges(height: height).count == 1 }

    /// The map of `height` × `width` × `channels` whose rows `band` computes, band
    /// by band; written into `target` when given, a map of that shape whose rows
    /// no band reads after its own band is computed.
    func assemble(height: Int, width: Int, channels: Int, into target: Tensor? = nil,
                  _ band: (Range<Int>) throws -> Tensor) throws -> Tensor {
        let bands = ranges(height: height)
        if bands.count == 1 { return try band(bands[0]) }
        let out = try target ?? Tensor(height: height, width: width, channels: channels)
        precondition(out.height == height && out.width == width && out.channels == channels, "target shape")
        for range in bands {
            let part = try band(range)
            precondition(part.height == range.count && part.width == width && part.channels == channels, "band shape")
            (out.pointer + range.lowerBound * width * channels).update(from: part.pointer, count: part.count)
        }
        return out
    }

    /// Output rows `band` of `layer`, a 3×3 convolution at stride 1 padded by one,
    /// over an input of `height` rows of which `input` gives any range: it reads one
    /// row beyond the band on either side, where there is one, so the band is exact.
    func convolve(_ layer: ConvolutionLayer, rows band: Range<Int>, height: Int, run: ModelRun,
                  input: (Range<Int>) throws -> Tensor) throws -> Tensor {
        let read = max(0, band.lowerBound - 1) ..< min(height, band.upperBound + 1)
        let out = try run.convolve(layer, input(read))
        return try rows(band.lowerBound - read.lowerBound ..< band.upperBound - read.lowerBound, of: out)
    }
}
