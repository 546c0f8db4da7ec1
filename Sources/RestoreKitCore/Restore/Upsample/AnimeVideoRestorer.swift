/// ×2, ×3 or ×4 enlargement of illustrations with Real-ESRGAN's AnimeVideo-v3
/// (SRVGGNetCompact: 16 convolutions with PReLU at the input size, a pixel
/// shuffle, plus the nearest-neighbour enlarged input; ×3 is a ×4 network
/// followed by a bicubic ×0.75). Trained with Real-ESRGAN's blind degradations,
/// it also removes mild noise and compression. Pre- and post-processing are
/// realesrgan-ncnn-vulkan's: RGB in [0, 1], 10 replicated pixels at the image
/// borders, output clamped. Its 18 3×3 convolutions reach 18 input pixels, so
/// regions with 20 pixels of context are exact.
public struct AnimeVideoRestorer: Restorer {
    /// The enlargement: 2, 3 or 4.
    public let factor: Int
    private let network: Network
    private let framing: NetworkFraming

    static let factors = 2 ... 4

    init(factor: Int, models: ModelDirectory) throws {
        precondition(Self.factors.contains(factor))
        self.factor = factor
        network = try models.network("REALESRGAN_ANIMAVIDEOV3_UP\(factor)X", of: ModelCatalog.realESRGAN)
        framing = NetworkFraming(scale: factor, trim: 0, borderPadding: 10, halo: 20, chunk: 512)
    }

    public var name: String { "Real-ESRGAN AnimeVideo-v3 ×\(factor)" }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * factor, height * factor)
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        framing.inputRect(for: output, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        try framing.render(network, input: "data", output: "output", constants: [], from: input, at: inputRect,
                           producing: output, width: inputWidth, height: inputHeight, context: context)
    }
}
