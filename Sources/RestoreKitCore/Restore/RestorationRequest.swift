/// Everything a caller asks of one restoration: the four prompts and every
/// option. `init()` holds each option's default, `RequestOption.all` its
/// range; hosts fill a request from their own parameters and the engine
/// validates it before any work.
public struct RestorationRequest: Sendable, Hashable {
    /// The semantic, restoration, quality and negative prompts.
    public var prompts: PromptFields
    /// "auto" (the best installed), "classic" (weight-free only), a backend's name, or
    /// the name of a generative model imported into the models folder.
    public var model: String
    /// How much of each same-size stage's correction to apply, 0–1 (1: all of it).
    public var strength: Double
    /// Sampler steps of generative models.
    public var steps: Int
    /// Classifier-free guidance scale of generative models.
    public var guidance: Double
    /// Random seed of generative models.
    public var seed: UInt64
    /// How far a generative model's result is pulled back onto the input
    /// (`ConsistencyProjection`): 1 reproduces it through the prompt's degradation.
    public var fidelity: Double
    /// Output tile side in pixels: 0 picks a power of two from free memory;
    /// sides below 64 use 64.
    public var tileSize: Int
    /// Threads to use: 0 means one per core.
    public var threads: Int
    /// Whether the pixels are linear light instead of sRGB-encoded.
    public var linear: Bool

    /// The defaults of every option: no prompts but XPSR's negative one, the
    /// best installed model at full strength, 20 steps at guidance 5.5 and
    /// seed 0, tiles and threads chosen automatically, sRGB pixels.
    public init() {
        prompts = PromptFields()
        model = "auto"
        strength = 1
        steps = 20
        guidance = 5.5
        seed = 0
        fidelity = 1
        tileSize = 0
        threads = 0
        linear = false
    }

    /// The defaults with the restoration prompt `restoration`.
    ///
    /// - Throws: `invalidPrompt` when it is longer than `PromptFields.maxBytes`.
    public init(restoration: String) throws {
        self.init()
        try prompts.set(.restoration, to: restoration)
    }

    /// The value of option `id`.
    public subscript(id: RequestOption.ID) -> OptionValue {
        switch id {
        case .semanticPrompt: return .text(prompts.semantic)
        case .restorationPrompt: return .text(prompts.restoration)
        case .qualityPrompt: return .text(prompts.quality)
        case .negativePrompt: return .text(prompts.negative)
        case .model: return .text(model)
        case .strength: return .number(strength)
        case .steps: return .integer(Int64(steps))
        case .guidance: return .number(guidance)
        case .seed: return .integer(Int64(clamping: seed))
        case .fidelity: return .number(fidelity)
        case .tileSize: return .integer(Int64(tileSize))
        case .threads: return .integer(Int64(threads))
        case .linear: return .flag(linear)
        }
    }

    /// Throws the first option outside its declared range, naming it; the
    /// restoration prompt's grammar is checked when it is parsed.
    public func validate() throws {
        for option in RequestOption.all { try option.check(self[option.id]) }
    }

    /// The options set to something other than their default, in declaration order.
    public var changedOptions: [RequestOption] {
        let defaults = RestorationRequest()
        return RequestOption.all.filter { self[$0.id] != defaults[$0.id] }
    }

    /// The size of the restored image for a `width` × `height` input: the
    /// restoration prompt's "Upsample" factor applied, both sizes within the
    /// image limits.
    ///
    /// - Throws: `invalidPrompt` for a malformed prompt or an "Upsample"
    ///   without a factor; `imageTooLarge` or `invalidArgument` for sizes
    ///   outside `ImageLimits.default`.
    public func outputSize(width: Int, height: Int) throws -> (width: Int, height: Int) {
        try ImageLimits.default.check(width: width, height: height)
        let prompt = try prompts.restorationPrompt()
        guard let size = prompt.outputSize(width: width, height: height) else { throw RestorationPrompt.factorNeeded }
        try ImageLimits.default.check(width: size.width, height: size.height)
        return size
    }
}
