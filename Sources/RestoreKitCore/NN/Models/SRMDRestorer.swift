/// Super-resolution by ×2, ×3 or ×4 with SRMD (noisy input) or SRMDNF
/// (noise-free), as srmd-ncnn-vulkan runs them.
///
/// The network reads 19 channels (SRMDNF: 18): RGB in [0, 1]; the 15-number
/// PCA code of the blur kernel, constant over the image; and (SRMD only) the
/// noise level, constant too. The code is that of the 15 × 15 Gaussian of the
/// stated blur σ (at the high resolution, before the bicubic downscale), or
/// of a delta kernel when none is stated, as the reference tool always feeds
/// it. SRMD was trained on σ 0.2–F for ×F; below 0.2 the Gaussian is all but
/// a delta kernel, so 0–0.2 is accepted too. A larger σ is refused rather than
/// clamped, so that the classic back-projection, which models any blur, takes
/// the task: a clamped code would leave the excess blur behind.
///
/// The noise channel takes the stated σ in [0, 1] units — the tool feeds its
/// integer noise level / 255, i.e. σ·255/255 — so any σ the model was trained
/// for (0–75/255) works, not only the tool's 0–10. Borders replicate 12
/// pixels, the network's exact receptive field, so tiles are seamless.
public struct SRMDRestorer: Restorer {
    /// The enlargement: 2, 3 or 4.
    public let factor: Int
    /// The Gaussian blur σ in high-resolution pixels; 0 for none.
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

    /// The largest blur σ the ×`factor` model was trained for: σ = `factor`.
    public static func maximumBlur(factor: Int) -> Double {
        Double(factor)
    }

    /// Whether SRMD covers this enlargement (2, 3 or 4) with this blur and
    /// noise (both within training).
    static func accepts(factor: Double, blur: Double, noise: Double) -> Bool {
        [2.0, 3, 4].contains(factor) && blur >= 0 && blur <= maximumBlur(factor: Int(factor))
            && noise >= 0 && noise <= maximumNoise
    }

    init(factor: Int, blur: Double, noise: Double, models: ModelDirectory) throws {
        self.factor = factor
        self.blur = blur
        self.noise = noise
        kernelCode = try SRMDKernelCode.gaussian(sigma: blur)
        network = try models.network(Self.stem(factor: factor, noise: noise), of: ModelCatalog.srmd)
    }

    public var name: String {
        (noise > 0 ? "SRMD ×\(factor)" : "SRMDNF ×\(factor)") + (blur > 0 ? ", blur σ \(blur)" : "")
    }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * factor, height * factor)
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        Self.framing(factor).inputRect(for: output, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let constants = kernelCode + (noise > 0 ? [Float(noise)] : [])
        return try Self.framing(factor).render(network, input: "input", output: "output", constants: constants,
                                               from: input, at: inputRect, producing: output,
                                               width: inputWidth, height: inputHeight, context: context)
    }
}
