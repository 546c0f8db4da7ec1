/// Applies exactly the damage a restoration prompt states: the inverse reading
/// of SPIRE's grammar, used to make test pairs whose prompt is true by construction.
///
/// The steps follow SPIRE's order: Gaussian blur of σ ("Deblur with sigma σ";
/// kernel side `BlurShape.defaultSize`), bicubic antialiased downscaling by F
/// ("Upsample to F"; sides divided by F and rounded), colour Gaussian noise of σ
/// ("Denoise with sigma σ"), JPEG at quality Q ("Dejpeg with quality Q", 4:2:0).
public enum PromptDegradation {
    /// The steps that produce the damage `prompt` states on a `width × height`
    /// image; the noise draws from `seed`. A clause with a bare verb (no value)
    /// or "Remove all degradation" is an error: neither says what to apply.
    /// The empty prompt applies nothing.
    public static func steps(for prompt: RestorationPrompt, width: Int, height: Int,
                             seed: UInt64) throws -> [DegradationStep] {
        if prompt.removeAllDegradation {
            throw RestoreError(.invalidArgument,
                "\"Remove all degradation\" (blind mode) states no degradation to apply; "
                + "give each clause a value, e.g. \"Deblur with sigma 2.0, Denoise with sigma 0.05\"")
        }
        func stated<T>(_ setting: RestorationPrompt.Setting<T>?, _ example: String) throws -> T? {
            switch setting {
            case nil: return nil
            case .value(let v)?: return v
            case .estimate?:
                throw RestoreError(.invalidArgument,
                    "a bare verb asks for an estimate and cannot be applied; state the value, e.g. \"\(example)\"")
            }
        }
        var steps: [DegradationStep] = []
        if let sigma = try stated(prompt.deblur, "Deblur with sigma 2.0") {
            let shape = BlurShape.gaussian(sigma: sigma)
            try shape.validate()
            steps.append(.blur(shape, size: shape.defaultSize))
        }
        if let factor = try stated(prompt.upsample, "Upsample to 4") {
            guard factor >= 1, factor.isFinite else {
                throw RestoreError(.invalidArgument, "the upsampling factor must be at least 1, not \(factor)")
            }
            steps.append(.resize(width: Image.scaledSide(width, 1 / factor),
                                 height: Image.scaledSide(height, 1 / factor),
                                 filter: .bicubic, antialias: true))
        }
        if let sigma = try stated(prompt.denoise, "Denoise with sigma 0.05") {
            guard sigma >= 0, sigma.isFinite else {
                throw RestoreError(.invalidArgument, "the noise sigma must be finite and non-negative, not \(sigma)")
            }
            steps.append(.gaussianNoise(sigma: sigma, gray: false, seed: seed))
        }
        if let quality = try stated(prompt.dejpeg, "Dejpeg with quality 40") {
            guard (1 ... 100).contains(quality) else {
                throw RestoreError(.invalidArgument, "JPEG quality must be 1–100, not \(quality)")
            }
            steps.append(.jpeg(quality: quality))
        }
        return steps
    }

    /// `image` with the damage `prompt` states (see `steps(for:width:height:seed:)`).
    public static func apply(_ prompt: RestorationPrompt, to image: Image,
                             seed: UInt64 = 0) throws -> SyntheticDegradation {
        let steps = try steps(for: prompt, width: image.width, height: image.height, seed: seed)
        return SyntheticDegradation(image: try DegradationStep.apply(steps, to: image),
                                    prompt: prompt, steps: steps)
    }
}
