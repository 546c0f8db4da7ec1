/// SPIRE's parameterised degradation (Table 2 of the paper): blur → downsample →
/// noise → JPEG, each stage skipped with probability ½, its parameter uniform in
/// SPIRE's training range; the restoration prompt states every stage applied.
///
/// Sampled values are rounded to what the prompt states (σ to 0.01, the factor
/// to 0.1, quality to a whole number) *before* they are applied, so the prompt
/// is exact. When all four stages are skipped (probability 1/16) the image is
/// returned unchanged with the empty prompt, as SPIRE's clean pairs have none.
public enum SPIREPipeline {
    /// Gaussian blur σ in pixels.
    public static let blurSigmaRange: ClosedRange<Double> = 0.2 ... 3.0
    /// Bicubic downsampling factor ("Upsample to F").
    public static let downsampleRange: ClosedRange<Double> = 1.0 ... 7.0
    /// Gaussian noise σ in image units.
    public static let noiseSigmaRange: ClosedRange<Double> = 0.0 ... 0.12
    /// IJG JPEG quality.
    public static let jpegQualityRange: ClosedRange<Int> = 30 ... 92
    /// Probability that a stage is left out.
    public static let skipProbability = 0.5

    /// Samples one degradation from `seed` and applies it to `image`.
    public static func degrade(_ image: Image, seed: UInt64) throws -> SyntheticDegradation {
        var generator = SeededGenerator(seed: seed)
        let prompt = samplePrompt(using: &generator)
        return try PromptDegradation.apply(prompt, to: image, seed: generator.next())
    }

    /// One draw of the stages and their (rounded) strengths.
    public static func samplePrompt(using generator: inout SeededGenerator) -> RestorationPrompt {
        // k / steps is the double nearest the decimal the prompt prints, so the
        // printed prompt reads back as exactly the value applied.
        func draw(_ range: ClosedRange<Double>, stepsPerUnit steps: Double) -> RestorationPrompt.Setting<Double>? {
            guard !generator.chance(skipProbability) else { return nil }
            let value = generator.uniform(range.lowerBound, range.upperBound)
            return .value((value * steps).rounded() / steps)
        }
        var prompt = RestorationPrompt()
        prompt.deblur = draw(blurSigmaRange, stepsPerUnit: 100)
        prompt.upsample = draw(downsampleRange, stepsPerUnit: 10)
        prompt.denoise = draw(noiseSigmaRange, stepsPerUnit: 100)
        if !generator.chance(skipProbability) {
            prompt.dejpeg = .value(generator.integer(in: jpegQualityRange))
        }
        return prompt
    }
}
