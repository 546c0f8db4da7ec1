/// Blind restoration with Real-ESRGAN x4plus (RRDBNet), or x4plus-anime (the
/// same architecture with 6 blocks, trained on illustrations): removes blur,
/// noise and compression together while enlarging ×4; other factors resample its
/// ×4 output with Lanczos-3 (antialiased when shrinking), as Real-ESRGAN's
/// `--outscale` does, so factor 1 restores at the original size.
///
/// Pre- and post-processing are realesrgan-ncnn-vulkan's: RGB in [0, 1], 10
/// replicated pixels at the image borders, the ×4 output clamped. The
/// network's receptive field spans hundreds of pixels and its output depends
/// on far context, so regions get 96 pixels of context, which keeps tiles
/// within 2/255 of the whole image (see bench/NOTES.md).
public struct RealESRGANRestorer: Restorer {
    /// The overall enlargement (0 < scale ≤ 8).
    public let scale: Double
    /// Whether it runs x4plus-anime.
    public let anime: Bool
    private let network: Network

    /// The network's own enlargement.
    static let networkScale = 4
    /// The body (23 RRDB blocks at the input size) runs on chunks of up to
    /// 512 + 2 × 96 input pixels (about 1.2 GiB of features); the ×4 tail from
    /// the first `Interp` on, in pieces of 128 with 2 pixels of context — exact,
    /// since its four 3×3 convolutions reach 1.25 input pixels.
    static let framing = NetworkFraming(scale: networkScale, trim: 0, borderPadding: 10, halo: 96, chunk: 512,
                                        tail: ("Interp", 128, 2))

    init(scale: Double, anime: Bool = false, models: ModelDirectory) throws {
        self.scale = scale
        self.anime = anime
        network = try models.network(anime ? "REALESRGAN_X4PLUSANIME_UP4X" : "REALESRGAN_X4PLUS_UP4X",
                                     of: ModelCatalog.realESRGAN)
    }

    public var name: String { anime ? "Real-ESRGAN x4plus anime" : "Real-ESRGAN x4plus" }

    private var isNative: Bool { scale == Double(Self.networkScale) }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        isNative ? (width * Self.networkScale, height * Self.networkScale)
                 : (RestorationPrompt.scaled(width, scale), RestorationPrompt.scaled(height, scale))
    }

    /// The resampling of the ×4 output to `scale`; nil at ×4.
    private func resampling(width: Int, height: Int) -> NetworkOutputResampling? {
        guard !isNative else { return nil }
        return NetworkOutputResampling(from: (width * Self.networkScale, height * Self.networkScale),
                                       to: outputSize(width: width, height: height))
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        let rect = resampling(width: inputWidth, height: inputHeight)?.networkRect(for: output) ?? output
        return Self.framing.inputRect(for: rect, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let resampling = resampling(width: inputWidth, height: inputHeight)
        let rect = resampling?.networkRect(for: output) ?? output
        let restored = try Self.framing.render(network, input: "data", output: "output", constants: [],
                                               from: input, at: inputRect, producing: rect,
                                               width: inputWidth, height: inputHeight, context: context)
        return try resampling?.resample(restored, at: rect, to: output) ?? restored
    }
}
