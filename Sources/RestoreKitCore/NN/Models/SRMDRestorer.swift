/// Super-resolution by ×2, ×3 or ×4 with SRMD (noisy input) or SRMDNF
/// (noise-free), as srmd-ncnn-vulkan runs them.
///
/// The network reads 19 channels (SRMDNF: 18): RGB in [0, 1]; the 15-number
/// PCA code of the blur kernel, constant over the image; and (SRMD only) the
/// noise level, constant too. The code is the reference tool's, that of a
/// delta kernel (bicubic degradation, no extra blur). The noise channel takes
/// the stated σ in [0, 1] units — the tool feeds its integer noise level / 255,
/// i.e. σ·255/255 — so any σ the model was trained for (0–75/255) works, not
/// only the tool's 0–10. Borders replicate 12 pixels, the network's exact
/// receptive field, so tiles are seamless.
public struct SRMDRestorer: Restorer {
    /// The enlargement: 2, 3 or 4.
    public let factor: Int
    /// The noise standard deviation in [0, 1] units; 0 selects SRMDNF.
    public let noise: Double
    private let network: Network

    /// srmd-ncnn-vulkan's `degradation_vector`: the kernel code of a delta kernel.
    static let deltaKernelCode: [Float] = [
        -1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02,
        8.37272935e-08, -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08,
        3.84753793e-02, 3.79465739e-08, -2.44916752e-01, -8.02213490e-01, -5.40549755e-01,
    ]

    /// The largest noise the models were trained for (75/255).
    public static let maximumNoise = 75.0 / 255

    static func framing(_ scale: Int) -> NetworkFraming {
        NetworkFraming(scale: scale, trim: 0, borderPadding: 12, halo: 12, chunk: 256)
    }

    /// The network file stem for `factor` and `noise`.
    static func stem(factor: Int, noise: Double) -> String {
        (noise > 0 ? "srmd_x" : "srmdnf_x") + String(factor)
    }

    /// Whether SRMD covers this enlargement (2, 3 or 4, no extra blur, noise within training).
    static func accepts(factor: Double, blur: Double, noise: Double) -> Bool {
        [2.0, 3, 4].contains(factor) && blur == 0 && noise >= 0 && noise <= maximumNoise
    }

    init(factor: Int, noise: Double, models: ModelDirectory) throws {
        self.factor = factor
        self.noise = noise
        network = try models.network(Self.stem(factor: factor, noise: noise), of: ModelCatalog.srmd)
    }

    public var name: String { noise > 0 ? "SRMD ×\(factor)" : "SRMDNF ×\(factor)" }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * factor, height * factor)
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        Self.framing(factor).inputRect(for: output, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let constants = Self.deltaKernelCode + (noise > 0 ? [Float(noise)] : [])
        return try Self.framing(factor).render(network, input: "input", output: "output", constants: constants,
                                               from: input, at: inputRect, producing: output,
                                               width: inputWidth, height: inputHeight, context: context)
    }
}
