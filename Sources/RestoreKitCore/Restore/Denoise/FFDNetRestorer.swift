/// Removes additive Gaussian noise of a stated σ with FFDNet, whose
/// noise-level input is exactly that σ (colour or gray network by the image).
/// Noise whose σ changes with brightness (`NoiseProfile`'s tones) is given
/// to FFDNet as a map: each channel's σ at its local level, the mean of the
/// 6 × 6 pixels around each 2 × 2 block. Grain (noise correlated over
/// neighbouring pixels, which FFDNet trained on white noise leaves as
/// blotches) is removed twice and the two averaged: by pixel-shuffle
/// downsampling (Zhou et al. 2020: the s × s phase images, s the grain size
/// rounded, carry nearly white noise of the same σ, denoised apart and put
/// back; it leaves a faint s-pixel lattice), and over the whole image at σ ×
/// grain, the white noise with the grain's low-frequency power (smoother).
///
/// A tile starts on an even pixel, so its 2 × 2 phases are the whole image's;
/// with `halo` pixels of context — the network's receptive field at half
/// resolution, doubled, plus the padding of an odd side — its interior is
/// what the whole image gives, up to rounding. Alpha is kept; the result is
/// clamped to [0, 1], as FFDNet's reference test code does.
public struct FFDNetRestorer: LocalRestorer {
    /// Noise standard deviation in [0, 1] units (at mid-grey with a profile).
    public let sigma: Double
    /// How σ changes with brightness; nil: `sigma` everywhere.
    public let profile: NoiseProfile?
    private let networks: [FFDNetNetwork]

    /// The largest σ FFDNet was trained for (75/255).
    public static let maximumSigma = 75.0 / 255

    /// Whether FFDNet covers noise of `sigma` (above 0, at most 75/255).
    static func accepts(sigma: Double) -> Bool { sigma > 0 && sigma <= maximumSigma }

    /// The largest phase stride: grain coarser than this is denoised at it.
    static let maximumStride = 4

    /// Whether FFDNet covers noise of `profile` around `sigma`: the largest σ
    /// within FFDNet's range.
    static func accepts(sigma: Double, profile: NoiseProfile) -> Bool {
        accepts(sigma: profile.maximumSigma(uniform: sigma))
    }

    /// The pixel-shuffle stride: the grain size rounded, 1 for white noise.
    var stride: Int { min(Self.maximumStride, max(1, Int((profile?.grain ?? 1).rounded()))) }

    /// The restorer for `colors` (1 or 3) channels; throws when the model is
    /// not installed or damaged.
    init(sigma: Double, profile: NoiseProfile? = nil, colors: Int, models: ModelDirectory) throws {
        self.sigma = sigma
        self.profile = profile == NoiseProfile() ? nil : profile
        networks = try Self.networks(colors: colors, models: models)
    }

    /// The installed networks a restorer for `colors` channels needs: for
    /// colour images also the gray one, since plans render neutral regions (a
    /// gray picture stored as RGB) as gray, and gray noise is not the
    /// independent per-channel noise the colour network removes.
    static func networks(colors: Int, models: ModelDirectory) throws -> [FFDNetNetwork] {
        try (colors == 3 ? [3, 1] : [1]).map { try network(colors: $0, models: models) }
    }

    /// The installed FFDNet for `colors` (1 or 3) channels; throws when it is
    /// missing or damaged.
    static func network(colors: Int, models: ModelDirectory) throws -> FFDNetNetwork {
        let stem = colors == 3 ? "ffdnet_color" : "ffdnet_gray"
        let network = try models.network(stem, of: ModelCatalog.ffdnet) { weights in
            try FFDNetNetwork.network(colors: colors, weights: weights)
        }
        return FFDNetNetwork(colors: colors, network: network)
    }

    public var name: String { networks[0].colors == 3 ? "FFDNet colour" : "FFDNet gray" }

    public var halo: Int { stride * (2 * networks.map { FFDNetNetwork.layers(colors: $0.colors) }.max()! + 2) }

    /// Tiles start on a multiple of 2 × the stride, so their phase images
    /// and those images' 2 × 2 blocks are the whole image's.
    public var alignment: Int { 2 * stride }

    public func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        let model = try networks.fitting(tile, restorer: name)
        let colours = Array(tile.samples.prefix(model.colors * tile.planeCount))
        let (w, h) = (tile.width, tile.height)
        guard let grain = profile?.grain, stride > 1 else {
            return tile.replacingColors(with: try denoise(colours, model, width: w, height: h, context: context))
        }
        let shuffled = try phaseDenoised(colours, model, width: w, height: h, context: context.scoped(0, 0.5))
        let whole = try denoise(colours, model, width: w, height: h, scale: grain, context: context.scoped(0.5, 1))
        return tile.replacingColors(with: zip(shuffled, whole).map { ($0 + $1) / 2 })
    }

    /// `planes` (`model.colors` planes of `width` × `height`) denoised by
    /// `model` at the stated σ (by brightness with a profile) × `scale`.
    private func denoise(_ planes: [Float], _ model: FFDNetNetwork, width: Int, height: Int, scale: Double = 1,
                         context: RestorationContext) throws -> [Float] {
        let map = profile.map { sigmaMap(planes, colors: model.colors, width: width, height: height, profile: $0,
                                         scale: scale) }
        return try model.denoise(planes, width: width, height: height, sigmaMap: map, uniform: Float(sigma),
                                 threads: context.threads) { try context.report($0) }
    }

    /// `planes` denoised phase image by phase image at the stated σ
    /// (pixel shuffle at `stride`).
    private func phaseDenoised(_ planes: [Float], _ model: FFDNetNetwork, width w: Int, height h: Int,
                               context: RestorationContext) throws -> [Float] {
        let (colors, s) = (model.colors, stride)
        var denoised = [Float](repeating: 0, count: colors * w * h)
        for phase in 0 ..< s * s {
            let (py, px) = (phase / s, phase % s)
            let (pw, ph) = ((w - px + s - 1) / s, (h - py + s - 1) / s)
            guard pw > 0, ph > 0 else { continue }
            var part = [Float](repeating: 0, count: colors * pw * ph)
            for c in 0 ..< colors {
                for y in 0 ..< ph {
                    for x in 0 ..< pw { part[(c * ph + y) * pw + x] = planes[(c * h + py + s * y) * w + px + s * x] }
                }
            }
            let out = try denoise(part, model, width: pw, height: ph,
                                  context: context.scoped(Double(phase) / Double(s * s), Double(phase + 1) / Double(s * s)))
            for c in 0 ..< colors {
                for y in 0 ..< ph {
                    for x in 0 ..< pw { denoised[(c * h + py + s * y) * w + px + s * x] = out[(c * ph + y) * pw + x] }
                }
            }
        }
        return denoised
    }

    /// FFDNet's noise-level map for `planes`: per channel and 2 × 2 block,
    /// `profile`'s σ at the mean of the 3 × 3 blocks around it (edges
    /// clamped), × `scale`.
    private func sigmaMap(_ planes: [Float], colors: Int, width: Int, height: Int, profile: NoiseProfile,
                          scale: Double) -> [Float] {
        let halfW = (width + 1) / 2, halfH = (height + 1) / 2
        var blocks = [Float](repeating: 0, count: colors * halfH * halfW)
        for c in 0 ..< colors {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    blocks[(c * halfH + y / 2) * halfW + x / 2] += planes[(c * height + y) * width + x]
                }
            }
            for y in 0 ..< halfH {
                for x in 0 ..< halfW {
                    let count = min(2, height - 2 * y) * min(2, width - 2 * x)
                    blocks[(c * halfH + y) * halfW + x] /= Float(count)
                }
            }
        }
        var map = blocks
        for c in 0 ..< colors {
            for y in 0 ..< halfH {
                for x in 0 ..< halfW {
                    var sum: Float = 0
                    for dy in -1 ... 1 {
                        for dx in -1 ... 1 {
                            let yy = min(max(y + dy, 0), halfH - 1), xx = min(max(x + dx, 0), halfW - 1)
                            sum += blocks[(c * halfH + yy) * halfW + xx]
                        }
                    }
                    let level = Double(sum / 9)
                    map[(c * halfH + y) * halfW + x] =
                        Float(min(max(scale * profile.sigma(at: level, uniform: sigma), 0), Self.maximumSigma))
                }
            }
        }
        return map
    }
}

extension [FFDNetNetwork] {
    /// The network for `tile`'s channel count.
    func fitting(_ tile: Image, restorer name: String) throws -> FFDNetNetwork {
        guard let network = first(where: { $0.colors == tile.layout.colorChannelCount }) else {
            throw RestoreError(.invalidArgument, "\(name) cannot restore \(tile.layout.name) images")
        }
        return network
    }
}

extension Image {
    /// The image with its colour planes replaced by `planes`, clamped to
    /// [0, 1] as FFDNet's reference test code does; alpha kept.
    func replacingColors(with planes: [Float]) -> Image {
        var out = self
        for i in 0 ..< planes.count { out.samples[i] = Swift.min(Swift.max(planes[i], 0), 1) }
        return out
    }
}
