/// One stage of a plan: the task, the restorer chosen for it, its backend and
/// the stage options it reads.
public struct PlannedStage: Sendable {
    public let task: RestorationTask
    public let restorer: any Restorer
    public let backend: String
    /// The stage options (`RequestOption.Scope.stage`) this stage reads:
    /// strength when it is blended with its input, and what its backend reads.
    public let reads: Set<RequestOption.ID>

    public init(task: RestorationTask, restorer: any Restorer, backend: String, reads: Set<RequestOption.ID> = []) {
        self.task = task
        self.restorer = restorer
        self.backend = backend
        self.reads = reads
    }

    /// "denoise (BM3D, classic)"-style label for progress and reports.
    public var label: String { "\(task.verb) (\(restorer.name), \(backend))" }
}

/// Options of a request that cannot change the result of a plan, and why.
public struct InertOptions: Sendable, Equatable {
    /// The options, in declaration order.
    public let options: [RequestOption]
    /// Why, e.g. "no installed model reads them".
    public let reason: String

    /// One line naming the options as a surface spells them: "--steps and
    /// --seed have no effect: no installed model reads them".
    public func notice(naming name: (RequestOption) -> String) -> String {
        let names = options.map(name)
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return "\(list) \(names.count == 1 ? "has" : "have") no effect: \(reason)"
    }
}

/// An ordered chain of restorers that turns an image into its restoration,
/// region by region, and the request it carries out.
///
/// Geometry flows backwards (`inputRect(for:)`: which source pixels an output
/// region needs, through every stage's halo and scale); `RestorationExecutor`
/// moves the pixels forwards.
public struct RestorationPlan: Sendable {
    /// The stages, in the order they run.
    public let stages: [PlannedStage]
    /// The restoration prompt the plan carries out, in canonical form, with
    /// every estimate filled in.
    public let prompt: RestorationPrompt
    /// The analysis that filled in the prompt's estimates; nil when the
    /// prompt stated every strength.
    public let analysis: DegradationAnalysis?
    /// The request the plan was made for.
    public let request: RestorationRequest
    /// The options of `request` that change nothing here, grouped by reason.
    public let inertOptions: [InertOptions]

    public init(stages: [PlannedStage], prompt: RestorationPrompt, analysis: DegradationAnalysis? = nil,
                request: RestorationRequest = RestorationRequest(), inertOptions: [InertOptions] = []) {
        self.stages = stages
        self.prompt = prompt
        self.analysis = analysis
        self.request = request
        self.inertOptions = inertOptions
    }

    /// One line per group of inert options, each option named by `name`.
    public func notices(naming name: (RequestOption) -> String) -> [String] {
        inertOptions.map { $0.notice(naming: name) }
    }

    /// The output size for a `width` × `height` input.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        stageSizes(width: width, height: height).last!
    }

    /// The source region needed to render the output region `output` of a
    /// `width` × `height` source: all of it when a stage computes over the
    /// whole image.
    public func inputRect(for output: Rect, width: Int, height: Int) -> Rect {
        regionChain(for: output, sizes: stageSizes(width: width, height: height)).first!
    }

    /// The last stage that computes over the whole image, if any.
    var lastWholeImageStage: Int? {
        stages.lastIndex { $0.restorer.computation == .wholeImage }
    }

    /// The image size before each stage and after the last.
    func stageSizes(width: Int, height: Int) -> [(width: Int, height: Int)] {
        var sizes = [(width: width, height: height)]
        for stage in stages {
            sizes.append(stage.restorer.outputSize(width: sizes.last!.width, height: sizes.last!.height))
        }
        return sizes
    }

    /// The region each stage must receive so the last one produces `output`;
    /// element i is stage i's input region, the last element is `output`.
    func regionChain(for output: Rect, sizes: [(width: Int, height: Int)]) -> [Rect] {
        var regions = [output]
        for (i, stage) in stages.enumerated().reversed() {
            regions.insert(stage.restorer.inputRect(for: regions[0], inputWidth: sizes[i].width,
                                                    inputHeight: sizes[i].height), at: 0)
        }
        return regions
    }
}

extension RestorationPlan {
    /// The text a generative stage is conditioned on: the semantic prompt, then
    /// the quality prompt, or the analysis' quality sentence when that is empty.
    public var generativeConditioning: String {
        let quality = request.prompts.quality.isEmpty ? analysis?.qualitySentence ?? "" : request.prompts.quality
        return [request.prompts.semantic, quality].filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// Whether a stage generates detail with a diffusion model.
    public var isGenerative: Bool {
        stages.contains { $0.task.isGenerative }
    }
}
