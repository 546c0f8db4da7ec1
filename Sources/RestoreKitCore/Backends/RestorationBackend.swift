/// A family of restorers (weight-free classics, a learned network, …). The
/// planner asks backends in order of preference for each task, with the
/// whole request, so a backend can read the prompts and the sampler settings.
public protocol RestorationBackend: Sendable {
    /// A short name, e.g. "classic".
    var name: String { get }

    /// The stage options (`RequestOption.Scope.stage`) besides strength that
    /// its restorers read from the request, e.g. the semantic prompt, steps
    /// and seed for a generative backend. Options no stage of a plan reads are
    /// reported as inert (`RestorationPlan.inertOptions`).
    var reads: Set<RequestOption.ID> { get }

    /// A restorer for `task` on images with `channels` colour channels (1 or 3),
    /// or nil when this backend does not cover it.
    func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)?

    /// Whether it generates detail with a diffusion prior: then only a request
    /// naming it uses it ("auto" never does), through `generativeRestorer`.
    var isGenerative: Bool { get }

    /// For a generative backend: the one stage that restores with it, given the
    /// plan of the restoration prompt's own restorers (`structure`), which it
    /// may run first and whose prompt its result must stay consistent with.
    func generativeRestorer(structure: RestorationPlan, request: RestorationRequest,
                            channels: Int) throws -> (any Restorer)?
}

extension RestorationBackend {
    /// None: the restorers read only their task.
    public var reads: Set<RequestOption.ID> { [] }
    public var isGenerative: Bool { false }
    public func generativeRestorer(structure: RestorationPlan, request: RestorationRequest,
                                   channels: Int) throws -> (any Restorer)? { nil }
}
