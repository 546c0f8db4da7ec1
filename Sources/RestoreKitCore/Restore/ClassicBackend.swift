/// The weight-free restorers: always available, the floor every learned
/// backend must beat. Each honours the prompt's numbers exactly.
public struct ClassicBackend: RestorationBackend {
    public init() {}

    public var name: String { "classic" }

    public func restorer(for task: RestorationTask, channels: Int) throws -> (any Restorer)? {
        switch task {
        default:
            return nil
        }
    }
}
