/// A degraded image together with the restoration prompt that describes its
/// damage and the exact steps that produced it.
public struct SyntheticDegradation: Sendable {
    /// The degraded image.
    public var image: Image
    /// The canonical restoration prompt for `image` (what a restorer should undo).
    public var prompt: RestorationPrompt
    /// The operations applied, in order, with all their parameters and seeds.
    public var steps: [DegradationStep]

    /// Bundles an image with its prompt and steps.
    public init(image: Image, prompt: RestorationPrompt, steps: [DegradationStep]) {
        self.image = image
        self.prompt = prompt
        self.steps = steps
    }
}
