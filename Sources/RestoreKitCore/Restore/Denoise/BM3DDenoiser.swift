/// Removes additive white Gaussian noise of a known standard deviation with
/// BM3D (Dabov, Foi, Katkovnik and Egiazarian 2007) and, for colour, CBM3D's
/// luminance–chrominance grouping: the classic backend's answer to
/// "Denoise with sigma N".
///
/// Two stages, each grouping similar 8 × 8 patches by block matching and
/// filtering every group in a 3-D transform domain (a 2-D transform of the
/// patches, a Haar transform along the group): stage 1 hard-thresholds the
/// noisy groups in bior1.5 wavelets; stage 2 matches again on the stage-1
/// estimate and applies an empirical Wiener filter in the DCT domain with that
/// estimate as the pilot. Overlapping patch
/// estimates are averaged with weights from each group's residual noise and a
/// Kaiser window. RGB is filtered in an orthonormal opponent colour space whose
/// luminance alone decides the groups of all three channels.
///
/// The output depends only on the input pixels within `halo` of a pixel and is
/// bit-for-bit the same for any thread count; samples are clamped to [0, 1].
public struct BM3DDenoiser: LocalRestorer {
    /// Noise standard deviation in [0, 1] sample units.
    public let sigma: Double

    /// A denoiser for noise of standard deviation `sigma` ([0, 1] units; 0 leaves
    /// images unchanged).
    public init(sigma: Double) {
        self.sigma = sigma
    }

    public var name: String { "BM3D" }

    /// Wide enough that a tile's interior is restored exactly as in the whole
    /// image (see `BM3DParameters.dependencyRadius`).
    public var halo: Int { sigma > 0 ? BM3DParameters(sigma: sigma, channels: 1).dependencyRadius : 0 }

    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        guard sigma.isFinite, sigma >= 0, sigma <= 1 else {
            throw RestoreError(.invalidArgument, "the denoising sigma must lie in [0, 1], not \(sigma)")
        }
        guard sigma > 0 else { return tile }
        let channels = tile.layout.colorChannelCount
        let parameters = BM3DParameters(sigma: sigma, channels: channels)
        // Patches are 8 × 8: smaller tiles are extended by repeating their last
        // row and column, and cropped back afterwards.
        let width = max(tile.width, 8), height = max(tile.height, 8)
        let noisy = Self.workingPlanes(tile, width: width, height: height)
        let window = KaiserWindow.coefficients(length: 8, beta: parameters.kaiserBeta)
        let s = Float(sigma)
        let basic = try CollaborativeStage(filter: .hardThreshold(lambda: parameters.lambda),
                                           parameters: parameters.hardThreshold, sigma: s, window: window)
            .run(noisy: noisy, pilot: nil, origin: origin,
                 context: context.scoped(0, 0.4, stage: "denoise: BM3D stage 1"))
        let final = try CollaborativeStage(filter: .wiener, parameters: parameters.wiener, sigma: s, window: window)
            .run(noisy: noisy, pilot: basic, origin: origin,
                 context: context.scoped(0.4, 1, stage: "denoise: BM3D stage 2"))
        return Self.image(from: final, like: tile)
    }

    /// The colour channels of `tile` as working planes (gray, or opponent colour)
    /// of `width` × `height`, edge-extended where the tile is smaller.
    static func workingPlanes(_ tile: Image, width: Int, height: Int) -> PlaneStack {
        let channels = tile.layout.colorChannelCount
        var planes = PlaneStack(width: width, height: height, channels: channels)
        for c in 0 ..< channels {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    planes.samples[(c * height + y) * width + x] = tile[min(x, tile.width - 1),
                                                                        min(y, tile.height - 1), c]
                }
            }
        }
        guard channels == 3 else { return planes }
        var opponent = planes
        planes.samples.withUnsafeBufferPointer { rgb in
            opponent.samples.withUnsafeMutableBufferPointer { out in
                OpponentColor.forward(rgb, out, count: width * height)
            }
        }
        return opponent
    }

    /// `planes` back in `tile`'s layout and size, clamped to [0, 1]; alpha, if
    /// any, is copied from `tile`.
    static func image(from planes: PlaneStack, like tile: Image) -> Image {
        var values = planes.samples
        if planes.channels == 3 {
            planes.samples.withUnsafeBufferPointer { yuv in
                values.withUnsafeMutableBufferPointer { out in
                    OpponentColor.inverse(yuv, out, count: planes.planeCount)
                }
            }
        }
        var out = tile
        for c in 0 ..< planes.channels {
            for y in 0 ..< tile.height {
                for x in 0 ..< tile.width {
                    out[x, y, c] = min(1, max(0, values[(c * planes.height + y) * planes.width + x]))
                }
            }
        }
        return out
    }
}
