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
}

extension RestorationBackend {
    /// None: the restorers read only their task.
    public var reads: Set<RequestOption.ID> { [] }
}
