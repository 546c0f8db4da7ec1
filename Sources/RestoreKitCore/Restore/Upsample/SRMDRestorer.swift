/// Super-resolution by ×2, ×3 or ×4 with SRMD (noisy input) or SRMDNF
/// (noise-free), as srmd-ncnn-vulkan runs them; other factors up to 4 run the
/// network at the next factor up and resample its output (Lanczos-3,
/// antialiased), so ×2.5 is SRMD ×3 shrunk by 5/6.
///
/// The network reads 19 channels (SRMDNF: 18): RGB in [0, 1]; the 15-number
/// PCA code of the blur kernel, constant over the image; and (SRMD only) the
/// noise level, constant too. The code is that of the 15 × 15 Gaussian of the
/// stated blur σ (at the high resolution, before the bicubic downscale), or
/// of a delta kernel when none is stated, as the reference tool always feeds
/// it. SRMD was trained on σ 0.2–F for ×F; below 0.2 the Gaussian is all but
/// a delta kernel, so 0–0.2 is accepted too. A resampled factor F codes the
/// blur at the network's grid, σ · N / F for the ×N network: σ ≤ F still
/// keeps it within training. A larger σ is refused rather than
/// clamped, so that the classic back-projection, which models any blur, takes
/// the task: a clamped code would leave the excess blur behind.
///
/// The noise channel takes the stated σ in [0, 1] units — the tool feeds its
/// integer noise level / 255, i.e. σ·255/255 — so any σ the model was trained
/// for (0–75/255) works, not only the tool's 0–10. Borders replicate 12
/// pixels, the network's exact receptive field, so tiles are seamless.
public struct SRMDRestorer: Restorer {
    /// The overall enlargement, above 1 and at most 4.
    public let factor: Double
    /// The network's own enlargement: 2, 3 or 4, the factor rounded up.
    public let networkFactor: Int
    /// The Gaussian blur σ in pixels of the enlarged image; 0 for none.
    public let blur: Double
    /// The noise standard deviation in [0, 1] units; 0 selects SRMDNF.
    public let noise: Double
    private let network: Network
    private let kernelCode: [Float]

    /// The largest noise the models were trained for (75/255).
    public static let maximumNoise = 75.0 / 255

    static func framing(_ scale: Int) -> NetworkFraming {
        NetworkFraming(scale: scale, trim: 0, borderPadding: 12, halo: 12, chunk: 256)
    }

    /// The network file stem for `factor` and `noise`.
    static func stem(factor: Int, noise: Double) -> String {
        (noise > 0 ? "srmd_x" : "srmdnf_x") + String(factor)
    }

    /// The network enlargement that serves `factor`: the next of 2, 3, 4 up.
    static func networkFactor(for factor: Double) -> Int {
        max(2, Int(factor.rounded(.up)))
    }

    /// The largest blur σ (in pixels of the enlarged image) the models were
    /// trained for at `factor`: σ = `factor`.
    public static func maximumBlur(factor: Double) -> Double {
        factor
    }

    /// Whether SRMD covers this enlargement (above 1, at most 4) with this
    /// blur and noise (both within training).
    static func accepts(factor: Double, blur: Double, noise: Double) -> Bool {
        factor > 1 && factor <= 4 && blur >= 0 && blur <= maximumBlur(factor: factor)
            && noise >= 0 && noise <= maximumNoise
    }

    init(factor: Double, blur: Double, noise: Double, models: ModelDirectory) throws {
        self.factor = factor
        self.blur = blur
        self.noise = noise
        networkFactor = Self.networkFactor(for: factor)
        kernelCode = try SRMDKernelCode.gaussian(sigma: blur * Double(networkFactor) / factor)
        network = try models.network(Self.stem(factor: networkFactor, noise: noise), of: ModelCatalog.srmd)
    }

    public var name: String {
        (noise > 0 ? "SRMD ×\(networkFactor)" : "SRMDNF ×\(networkFactor)")
            + (isNative ? "" : " resampled to ×\(factor)") + (blur > 0 ? ", blur σ \(blur)" : "")
    }

    private var isNative: Bool { factor == Double(networkFactor) }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        isNative ? (width * networkFactor, height * networkFactor)
                 : (RestorationPrompt.scaled(width, factor), RestorationPrompt.scaled(height, factor))
    }

    /// The resampling of the network's output to `factor`; nil when they agree.
    private func resampling(width: Int, height: Int) -> NetworkOutputResampling? {
        guard !isNative else { return nil }
        return NetworkOutputResampling(from: (width * networkFactor, height * networkFactor),
                                       to: outputSize(width: width, height: height))
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        let rect = resampling(width: inputWidth, height: inputHeight)?.networkRect(for: output) ?? output
        return Self.framing(networkFactor).inputRect(for: rect, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let constants = kernelCode + (noise > 0 ? [Float(noise)] : [])
        let resampling = resampling(width: inputWidth, height: inputHeight)
        let rect = resampling?.networkRect(for: output) ?? output
        let restored = try Self.framing(networkFactor).render(
            network, input: "input", output: "output", constants: constants, from: input, at: inputRect,
            producing: rect, width: inputWidth, height: inputHeight, context: context)
        return try resampling?.resample(restored, at: rect, to: output) ?? restored
    }
}
