/// The entry point of restoration: holds the installed backends and turns
/// prompt fields into plans and images into their restorations.
///
/// An engine is immutable after creation and may serve several restorations
/// at once, on different threads.
public final class RestorationEngine: Sendable {
    /// Backends in order of preference (learned ones first, the classic floor last).
    public let backends: [any RestorationBackend]

    /// An engine over the given backends.
    public init(backends: [any RestorationBackend]) {
        self.backends = backends
    }

    /// An engine with the weight-free classics only.
    public convenience init() {
        self.init(backends: [ClassicBackend()])
    }

    /// An engine with the learned models installed in `modelsDirectory`
    /// (`ModelDirectory.defaultPath` when nil) ahead of the weight-free
    /// classics. A missing folder or package just leaves those models out;
    /// a damaged file is reported when a plan needs it.
    public convenience init(modelsDirectory: String?) {
        let models = ModelDirectory(path: modelsDirectory ?? ModelDirectory.defaultPath)
        self.init(backends: LearnedBackends.installed(in: models) + [ClassicBackend()])
    }

    /// The plan for `fields` on an image with `channels` colour channels,
    /// without looking at its pixels. Throws `invalidPrompt` with the parser's
    /// message (and character offset) for a malformed restoration prompt, and
    /// `needsAnalysis` when the prompt asks for estimates (use
    /// `plan(_:for:options:jpegTables:)`).
    public func plan(_ fields: PromptFields, channels: Int, options: RestorationOptions = .init(),
                     jpegTables: JPEGTables? = nil) throws -> RestorationPlan {
        try Self.checkChannels(channels)
        return try RestorationPlanner(backends: backends)
            .plan(try fields.restorationPrompt(), channels: channels, options: options, jpegTables: jpegTables)
    }

    /// The plan for restoring `image` as `fields` say. An empty restoration
    /// prompt, bare "Deblur", "Denoise" and "Dejpeg", and "Remove all
    /// degradation" without a learned blind model are filled in by analysing
    /// the whole image (`plan.analysis` then holds what was found).
    public func plan(_ fields: PromptFields, for image: Image, options: RestorationOptions = .init(),
                     jpegTables: JPEGTables? = nil) throws -> RestorationPlan {
        let channels = image.layout.colorChannelCount
        try Self.checkChannels(channels)
        let prompt = try fields.restorationPrompt()
        let planner = RestorationPlanner(backends: backends)
        do {
            return try planner.plan(prompt, channels: channels, options: options, jpegTables: jpegTables)
        } catch let error as RestoreError where error.kind == .needsAnalysis {
            return try planner.plan(prompt, channels: channels, options: options, jpegTables: jpegTables,
                                    analysis: analyze(image, jpegTables: jpegTables))
        }
    }

    /// What damaged `image`: noise, blur, JPEG compression and an earlier
    /// enlargement, with the prompt that removes them. `jpegTables` (the
    /// file's, when it was a JPEG) give the JPEG quality exactly.
    public func analyze(_ image: Image, jpegTables: JPEGTables? = nil) -> DegradationAnalysis {
        DegradationAnalyzer().analyze(image, jpegTables: jpegTables)
    }

    /// Restores `image` as `fields` say, tile by tile, reporting to `progress`.
    public func restore(_ image: Image, fields: PromptFields, options: RestorationOptions = .init(),
                        jpegTables: JPEGTables? = nil, progress: ProgressHandler? = nil) throws -> Restoration {
        try restore(image, plan: plan(fields, for: image, options: options, jpegTables: jpegTables),
                    options: options, progress: progress)
    }

    /// Carries out `plan` (made for `image`) on `image`, tile by tile,
    /// reporting to `progress`.
    public func restore(_ image: Image, plan: RestorationPlan, options: RestorationOptions = .init(),
                        progress: ProgressHandler? = nil) throws -> Restoration {
        let (ow, oh) = plan.outputSize(width: image.width, height: image.height)
        try ImageLimits.default.check(width: ow, height: oh)
        let context = RestorationContext(threads: options.threads, progress: progress)
        let srgb = image.converted(to: .sRGB)
        let restored = try plan.run(on: srgb, tileSize: options.tileSize, context: context)
        return Restoration(image: restored.converted(to: image.encoding), plan: plan)
    }

    private static func checkChannels(_ channels: Int) throws {
        guard channels == 1 || channels == 3 else {
            throw RestoreError(.invalidArgument, "images must have 1 or 3 colour channels, not \(channels)")
        }
    }
}

/// The outcome of a restoration.
public struct Restoration: Sendable {
    /// The restored image (same layout and encoding as the input).
    public let image: Image
    /// What ran: the prompt carried out and each stage's restorer and backend.
    public let plan: RestorationPlan
}
