/// ×2 super-resolution with waifu2x's photo models (upconv_7), optionally
/// denoising (levels 0–3), as waifu2x-ncnn-vulkan runs them: RGB in [0, 1],
/// 7 replicated pixels at the borders (the network's exact receptive field:
/// its convolutions are unpadded, so tiles are seamless).
public struct Waifu2xRestorer: Restorer {
    /// The denoising level, 0–3, or nil for none.
    public let level: Int?
    private let network: Network

    static let framing = NetworkFraming(scale: 2, trim: 7, borderPadding: 7, halo: 7, chunk: 384)

    /// The denoising level for Gaussian noise of `sigma` ([0, 1] units), or nil
    /// for none. waifu2x's levels were trained on JPEG artefacts of growing
    /// strength, not on Gaussian noise; on Set5 no denoising scores best below
    /// σ ≈ 0.005, level 0 up to σ ≈ 0.022 and level 3 above, while levels 1
    /// and 2 never do, so they are not used (see bench/NOTES.md).
    static func level(forNoise sigma: Double) -> Int? {
        switch sigma {
        case ..<0.005: return nil
        case ..<0.022: return 0
        default: return 3
        }
    }

    /// The network file stem for `level`.
    static func stem(level: Int?) -> String {
        level.map { "WAIFU2X_PHOTO_UP2X_DENOISE\($0)X" } ?? "WAIFU2X_PHOTO_UP2X"
    }

    init(level: Int?, models: ModelDirectory) throws {
        self.level = level
        network = try models.network(Self.stem(level: level), of: ModelCatalog.waifu2x)
    }

    public var name: String { "waifu2x photo ×2" + (level.map { ", denoise level \($0)" } ?? "") }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * 2, height * 2)
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        Self.framing.inputRect(for: output, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        try Self.framing.render(network, input: "Input1", output: "Eltwise4", constants: [], from: input, at: inputRect,
                                producing: output, width: inputWidth, height: inputHeight, context: context)
    }
}
