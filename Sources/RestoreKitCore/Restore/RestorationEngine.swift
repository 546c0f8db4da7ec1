/// The entry point of restoration: holds the installed backends and turns
/// requests into plans and images (or regions of them) into their
/// restorations.
///
/// An engine is immutable after creation, but for the output of a
/// whole-image stage its executor keeps, and may serve several restorations
/// at once, on different threads.
public final class RestorationEngine: Sendable {
    /// Backends in order of preference (learned ones first, the classic floor last).
    public let backends: [any RestorationBackend]
    /// Tiles, renders regions and keeps whole-image results.
    public let executor = RestorationExecutor()

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
    /// classics, and the generative models imported there. A missing folder or package just leaves those models out;
    /// a damaged file is reported when a plan needs it.
    public convenience init(modelsDirectory: String?) {
        let models = ModelDirectory(path: modelsDirectory ?? ModelDirectory.defaultPath)
        self.init(backends: LearnedBackends.installed(in: models) + [ClassicBackend()]
                  + GenerativeBackend.installed(in: models))
    }

    /// The stage options no installed backend reads: setting them cannot
    /// change any result (e.g. the semantic prompt and the sampler settings
    /// when no generative model is installed).
    public var unusedOptions: [RequestOption] {
        let read = backends.reduce(into: Set<RequestOption.ID>([.strength])) { $0.formUnion($1.reads) }
        return RequestOption.all.filter { $0.scope == .stage && !read.contains($0.id) }
    }

    /// The plan for `request` on an image with `channels` colour channels,
    /// without looking at its pixels. Throws `invalidPrompt` with the parser's
    /// message (and character offset) for a malformed restoration prompt, and
    /// `needsAnalysis` when the prompt asks for estimates (use
    /// `plan(_:for:jpegTables:)`).
    public func plan(_ request: RestorationRequest, channels: Int,
                     jpegTables: JPEGTables? = nil) throws -> RestorationPlan {
        try Self.checkChannels(channels)
        return try RestorationPlanner(backends: backends)
            .plan(try request.prompts.restorationPrompt(), channels: channels, request: request, jpegTables: jpegTables)
    }

    /// The plan for restoring `image` as `request` says. An empty restoration
    /// prompt, bare "Deblur", "Denoise" and "Dejpeg", and "Remove all
    /// degradation" without a learned blind model are filled in by analysing
    /// the whole image (`plan.analysis` then holds what was found).
    public func plan(_ request: RestorationRequest, for image: Image,
                     jpegTables: JPEGTables? = nil) throws -> RestorationPlan {
        let channels = image.layout.colorChannelCount
        try Self.checkChannels(channels)
        let prompt = try request.prompts.restorationPrompt()
        let planner = RestorationPlanner(backends: backends)
        do {
            return try planner.plan(prompt, channels: channels, request: request, jpegTables: jpegTables)
        } catch let error as RestoreError where error.kind == .needsAnalysis {
            return try planner.plan(prompt, channels: channels, request: request, jpegTables: jpegTables,
                                    analysis: analyze(image, jpegTables: jpegTables))
        }
    }

    /// What damaged `image`: noise, blur, JPEG compression and an earlier
    /// enlargement, with the prompt that removes them. `jpegTables` (the
    /// file's, when it was a JPEG) give the JPEG quality exactly.
    public func analyze(_ image: Image, jpegTables: JPEGTables? = nil) -> DegradationAnalysis {
        DegradationAnalyzer().analyze(image, jpegTables: jpegTables)
    }

    /// Restores `image` as `request` says, tile by tile, reporting to `progress`.
    public func restore(_ image: Image, request: RestorationRequest, jpegTables: JPEGTables? = nil,
                        progress: ProgressHandler? = nil) throws -> Restoration {
        try restore(image, plan: plan(request, for: image, jpegTables: jpegTables), progress: progress)
    }

    /// Carries out `plan` (made for `image`) on `image`, tile by tile,
    /// reporting to `progress`.
    public func restore(_ image: Image, plan: RestorationPlan, progress: ProgressHandler? = nil) throws -> Restoration {
        let (ow, oh) = plan.outputSize(width: image.width, height: image.height)
        try ImageLimits.default.check(width: ow, height: oh)
        let context = RestorationContext(threads: plan.request.threads, progress: progress)
        let restored = try executor.run(plan, on: image.converted(to: .sRGB), context: context)
        return Restoration(image: restored.converted(to: image.encoding), plan: plan)
    }

    /// The plan for rendering regions of a `width` × `height` RGB image, and
    /// the input region that renders `output`: for hosts that render in tiles.
    ///
    /// - Throws: as `plan(_:channels:)`, and `invalidArgument` when `output`
    ///   lies outside the output image.
    public func region(_ output: Rect, width: Int, height: Int,
                       request: RestorationRequest) throws -> (input: Rect, plan: RestorationPlan) {
        try ImageLimits.default.check(width: width, height: height)
        let plan = try self.plan(request, channels: 3)
        let size = plan.outputSize(width: width, height: height)
        guard Rect(width: size.width, height: size.height).contains(output) else {
            throw RestoreError(.invalidArgument,
                "output region \(output) lies outside the \(size.width) × \(size.height) output")
        }
        return (plan.inputRect(for: output, width: width, height: height), plan)
    }

    /// Renders the output region `output` of `plan` (from `region(…)`) for a
    /// `width` × `height` image from `source`, the pixels of `sourceRect`,
    /// which must contain the region's input. Any grid of regions rendered
    /// this way gives the pixels of `restore`; a whole-image stage runs once
    /// for all of them.
    public func render(_ output: Rect, of plan: RestorationPlan, width: Int, height: Int, from source: Image,
                       at sourceRect: Rect, progress: ProgressHandler? = nil) throws -> Image {
        let needed = plan.inputRect(for: output, width: width, height: height)
        guard Rect(width: width, height: height).contains(sourceRect), sourceRect.contains(needed) else {
            throw RestoreError(.invalidArgument, "the source region \(sourceRect) must lie inside the \(width) × "
                               + "\(height) image and contain \(needed), the input this output region needs")
        }
        let context = RestorationContext(threads: plan.request.threads, progress: progress)
        let pixels = try executor.render(plan, output, from: source.converted(to: .sRGB), at: sourceRect,
                                         width: width, height: height, context: context)
        return pixels.converted(to: source.encoding)
    }

    private static func checkChannels(_ channels: Int) throws {
        guard channels == 1 || channels == 3 else {
            throw RestoreError(.invalidArgument, "images must have 1 or 3 colour channels, not \(channels)")
        }
    }
}

/// The outcome of a restoration.
public struct Restoration: Sendable {
    /// The restored image, or region (same layout and encoding as the input).
    public let image: Image
    /// What ran: the prompt carried out, each stage's restorer and backend,
    /// and the options that had no effect.
    public let plan: RestorationPlan
}
