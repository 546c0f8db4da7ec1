/// A family of restorers (weight-free classics, a learned network, …). The
/// planner asks backends in order of preference for each task.
public protocol RestorationBackend: Sendable {
    /// A short name, e.g. "classic".
    var name: String { get }
    /// A restorer for `task` on images with `channels` colour channels (1 or 3),
    /// or nil when this backend does not cover it.
    func restorer(for task: RestorationTask, channels: Int) throws -> (any Restorer)?
}
