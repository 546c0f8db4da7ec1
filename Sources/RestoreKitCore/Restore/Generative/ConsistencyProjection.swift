/// Pulls a generated image back onto what the restoration prompt states about
/// the input, so that generated detail adds texture but cannot contradict the
/// pixels the user has: degraded by the stated blur and downsampling (as
/// `PromptDegradation` applies them: Gaussian of σ, then bicubic antialiased
/// downscaling to the input's size), the result reproduces the input, up to
/// the stated noise.
///
/// Method: iterative back-projection (Irani and Peleg), xₖ₊₁ = clamp(xₖ + U rₖ)
/// with rₖ = y − D xₖ the residual, less the part within ± the stated noise σ
/// (noise the prompt says the input carries is not to be reproduced), and U
/// bicubic interpolation to the output size. It converges where D passes
/// anything (the blur's transfer above 0); frequencies the degradation removes
/// keep the generated detail. The result moves `fidelity` of the way from the
/// generation to its projection: 1 enforces the prompt, 0 leaves the generation.
struct ConsistencyProjection: Sendable {
    /// The stated blur σ (pixels of the output), if any.
    let blur: Double?
    /// The noise σ the input may differ by.
    let noise: Double
    let fidelity: Double
    static let iterations = 12

    init(prompt: RestorationPrompt, fidelity: Double = 1) {
        blur = prompt.deblur?.value.flatMap { $0 > 0 ? $0 : nil }
        noise = prompt.denoise?.value ?? 0
        self.fidelity = fidelity
    }

    /// `generated` (the output size, planar 0…1) projected onto `input`.
    func project(_ generated: Image, onto input: Image, context: RestorationContext) throws -> Image {
        guard fidelity > 0 else {
            try context.report(1)
            return generated
        }
        var x = generated
        let band = Float(noise)
        for k in 0 ..< Self.iterations {
            try context.report(Double(k) / Double(Self.iterations))
            var residual = try degrade(x, to: input)
            for i in residual.samples.indices {
                let r = input.samples[i] - residual.samples[i]
                residual.samples[i] = r - min(max(r, -band), band)
            }
            let correction = (residual.width, residual.height) == (x.width, x.height) ? residual
                : try residual.resized(width: x.width, height: x.height, filter: .bicubic, antialias: false)
            for i in x.samples.indices {
                x.samples[i] = min(max(x.samples[i] + correction.samples[i], 0), 1)
            }
        }
        let share = Float(fidelity)
        for i in x.samples.indices { x.samples[i] = generated.samples[i] + share * (x.samples[i] - generated.samples[i]) }
        return x
    }

    /// D x: the stated blur, then the downscaling to the input's size.
    func degrade(_ x: Image, to input: Image) throws -> Image {
        var steps: [DegradationStep] = []
        if let blur {
            let shape = BlurShape.gaussian(sigma: blur)
            steps.append(.blur(shape, size: shape.defaultSize))
        }
        if (x.width, x.height) != (input.width, input.height) {
            steps.append(.resize(width: input.width, height: input.height, filter: .bicubic, antialias: true))
        }
        return try DegradationStep.apply(steps, to: x)
    }
}
