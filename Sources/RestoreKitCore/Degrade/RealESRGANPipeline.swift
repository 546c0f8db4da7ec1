/// Real-ESRGAN's second-order degradation ("high-order" synthesis of real-world
/// damage), paired with the blind prompt "Remove all degradation".
///
/// Order, as in Real-ESRGAN's `feed_data`: blur (a random kernel of the family)
/// → random resize (up/down/keep; area, bilinear or bicubic) → Gaussian or
/// Poisson noise (colour or gray) → JPEG; then the same again with the second
/// order's ranges (the blur with probability 0.8); then, in random order,
/// [resize to 1/`scale` of the input + the final sinc filter] and JPEG; last,
/// rounding to 8 bits.
///
/// Where RestoreKit differs: resizes are Pillow-style without antialiasing
/// (PyTorch's `F.interpolate` also aliases, but its bicubic uses a = −0.75 and
/// replicates edges; its area mode counts partially covered pixels whole), JPEG
/// is libjpeg-turbo at a whole-number quality instead of DiffJPEG at a fractional
/// one, and the ground truth is not unsharp-masked first (Real-ESRGAN degrades
/// its sharpened target; here the input *is* the target).
public enum RealESRGANPipeline {
    /// Samples one degradation from `seed` and applies it to `image`, which must be
    /// at least `settings.scale` pixels on each side.
    public static func degrade(_ image: Image, seed: UInt64,
                               settings: RealESRGANSettings = .x4plus) throws -> SyntheticDegradation {
        guard settings.scale >= 1, image.width >= settings.scale, image.height >= settings.scale else {
            throw RestoreError(.invalidArgument,
                "Real-ESRGAN degradation at scale \(settings.scale) needs an image at least "
                + "\(settings.scale) pixels on each side, not \(image.width) × \(image.height)")
        }
        var generator = SeededGenerator(seed: seed)
        let steps = sampleSteps(width: image.width, height: image.height, settings: settings, using: &generator)
        return SyntheticDegradation(image: try DegradationStep.apply(steps, to: image),
                                    prompt: RestorationPrompt(removeAllDegradation: true), steps: steps)
    }

    /// One draw of the whole synthesis for a `width × height` input.
    public static func sampleSteps(width: Int, height: Int, settings: RealESRGANSettings,
                                   using generator: inout SeededGenerator) -> [DegradationStep] {
        var steps: [DegradationStep] = []
        var size = (width: width, height: height)
        func resize(to target: (width: Int, height: Int)) {
            let filter = [ResizeFilter.area, .bilinear, .bicubic][generator.integer(in: 0 ... 2)]
            // "keep" (or a scale that rounds to the same size) is the identity in PyTorch too.
            guard target != size else { return }
            steps.append(.resize(width: target.width, height: target.height, filter: filter, antialias: false))
            size = target
        }

        // First order.
        steps.append(kernel(settings.first, sizes: settings.kernelSizes, using: &generator))
        let s1 = resizeScale(settings.first, using: &generator)
        resize(to: (max(1, Int(Double(size.width) * s1)), max(1, Int(Double(size.height) * s1))))
        steps.append(noise(settings.first, using: &generator))
        steps.append(.jpeg(quality: jpegQuality(settings.first, using: &generator)))

        // Second order: sizes relative to the final output, as Real-ESRGAN computes them.
        if generator.chance(settings.secondBlurProbability) {
            steps.append(kernel(settings.second, sizes: settings.kernelSizes, using: &generator))
        }
        let s2 = resizeScale(settings.second, using: &generator)
        let base = (width: Double(width) / Double(settings.scale), height: Double(height) / Double(settings.scale))
        resize(to: (max(1, Int(base.width * s2)), max(1, Int(base.height * s2))))
        steps.append(noise(settings.second, using: &generator))

        // Final: [resize to the output size + sinc] and JPEG, in either order.
        let output = (width: width / settings.scale, height: height / settings.scale)
        let sinc: DegradationStep? = generator.chance(settings.finalSincProbability)
            ? .blur(.sinc(cutoff: generator.uniform(Double.pi / 3, Double.pi)),
                    size: settings.kernelSizes[generator.integer(in: 0 ... settings.kernelSizes.count - 1)])
            : nil
        let quality = jpegQuality(settings.second, using: &generator)
        if generator.chance(0.5) {
            resize(to: output)
            if let sinc { steps.append(sinc) }
            steps.append(.jpeg(quality: quality))
        } else {
            steps.append(.jpeg(quality: quality))
            resize(to: output)
            if let sinc { steps.append(sinc) }
        }
        steps.append(.quantize)
        return steps
    }

    /// A blur step: a 2-D sinc with the stage's sinc probability, else a kernel of
    /// the type drawn from the stage's probabilities, on a side drawn from `sizes`.
    private static func kernel(_ stage: RealESRGANSettings.Stage, sizes: [Int],
                               using generator: inout SeededGenerator) -> DegradationStep {
        let size = sizes[generator.integer(in: 0 ... sizes.count - 1)]
        if generator.chance(stage.sincProbability) {
            let lowest = size < 13 ? Double.pi / 3 : Double.pi / 5
            return .blur(.sinc(cutoff: generator.uniform(lowest, Double.pi)), size: size)
        }
        let type = generator.choose(weights: stage.kernelProbabilities)
        let isotropic = type % 2 == 0
        let sigmaX = generator.uniform(stage.blurSigmaRange.lowerBound, stage.blurSigmaRange.upperBound)
        let sigmaY = isotropic ? sigmaX
            : generator.uniform(stage.blurSigmaRange.lowerBound, stage.blurSigmaRange.upperBound)
        let rotation = isotropic ? 0 : generator.uniform(-Double.pi, Double.pi)
        switch type / 2 {
        case 0:
            return .blur(isotropic ? .gaussian(sigma: sigmaX)
                                   : .anisotropicGaussian(sigmaX: sigmaX, sigmaY: sigmaY, rotation: rotation),
                         size: size)
        case 1:
            let beta = shapeBeta(stage.generalizedBetaRange, using: &generator)
            return .blur(.generalizedGaussian(sigmaX: sigmaX, sigmaY: sigmaY, rotation: rotation, beta: beta),
                         size: size)
        default:
            let beta = shapeBeta(stage.plateauBetaRange, using: &generator)
            return .blur(.plateau(sigmaX: sigmaX, sigmaY: sigmaY, rotation: rotation, beta: beta), size: size)
        }
    }

    /// β below or above 1 with equal chance (Real-ESRGAN's draw, which keeps
    /// sharp-peaked and flat-topped kernels equally common whatever the range).
    private static func shapeBeta(_ range: ClosedRange<Double>, using generator: inout SeededGenerator) -> Double {
        generator.chance(0.5)
            ? generator.uniform(range.lowerBound, min(1, range.upperBound))
            : generator.uniform(max(1, range.lowerBound), range.upperBound)
    }

    /// The stage's resize factor: up, down or keep by its probabilities.
    private static func resizeScale(_ stage: RealESRGANSettings.Stage,
                                    using generator: inout SeededGenerator) -> Double {
        switch generator.choose(weights: stage.resizeProbabilities) {
        case 0: return generator.uniform(1, stage.resizeRange.upperBound)
        case 1: return generator.uniform(stage.resizeRange.lowerBound, 1)
        default: return 1
        }
    }

    /// Gaussian (σ in 8-bit levels) or Poisson noise, colour or gray.
    private static func noise(_ stage: RealESRGANSettings.Stage,
                              using generator: inout SeededGenerator) -> DegradationStep {
        if generator.chance(stage.gaussianNoiseProbability) {
            let sigma = generator.uniform(stage.noiseSigmaRange.lowerBound, stage.noiseSigmaRange.upperBound) / 255
            return .gaussianNoise(sigma: sigma, gray: generator.chance(stage.grayNoiseProbability),
                                  seed: generator.next())
        }
        let scale = generator.uniform(stage.poissonScaleRange.lowerBound, stage.poissonScaleRange.upperBound)
        return .poissonNoise(scale: scale, gray: generator.chance(stage.grayNoiseProbability), seed: generator.next())
    }

    private static func jpegQuality(_ stage: RealESRGANSettings.Stage,
                                    using generator: inout SeededGenerator) -> Int {
        Int(generator.uniform(stage.jpegQualityRange.lowerBound, stage.jpegQualityRange.upperBound).rounded())
    }
}
