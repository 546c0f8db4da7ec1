/// The knobs of a restoration besides the prompts.
public struct RestorationOptions: Sendable, Equatable {
    /// How much of each stage's correction to apply, 0–1 (1: all of it).
    public var strength: Double
    /// Which backend to prefer: "auto" (the best installed), "classic"
    /// (weight-free only), or a backend's name.
    public var model: String
    /// Output tile side in pixels: 0 picks a power of two from free memory.
    public var tileSize: Int
    /// Threads to use: 0 means one per core.
    public var threads: Int

    public init(strength: Double = 1, model: String = "auto", tileSize: Int = 0, threads: Int = 0) {
        self.strength = strength
        self.model = model
        self.tileSize = tileSize
        self.threads = threads
    }

    /// Throws `invalidArgument` for out-of-range values.
    public func validate() throws {
        guard strength.isFinite, (0 ... 1).contains(strength) else {
            throw RestoreError(.invalidArgument, "strength must be between 0 and 1, not \(strength)")
        }
        guard tileSize == 0 || (64 ... 8192).contains(tileSize) else {
            throw RestoreError(.invalidArgument, "tile size must be 0 (auto) or 64–8192 pixels, not \(tileSize)")
        }
        guard (0 ... 256).contains(threads) else {
            throw RestoreError(.invalidArgument, "threads must be 0 (auto) or 1–256, not \(threads)")
        }
    }
}
