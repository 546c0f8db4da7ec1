/// The parameters of Real-ESRGAN's second-order degradation. `x4plus` holds the
/// published training defaults (`options/train_realesrgan_x4plus.yml` of
/// xinntao/Real-ESRGAN and its dataset code).
public struct RealESRGANSettings: Equatable, Sendable {
    /// The parameters of one degradation order (blur, resize, noise, JPEG).
    public struct Stage: Equatable, Sendable {
        /// Probabilities of the kernel types, in the order isotropic Gaussian,
        /// anisotropic Gaussian, generalized isotropic, generalized anisotropic,
        /// plateau isotropic, plateau anisotropic.
        public var kernelProbabilities: [Double]
        /// Probability that the blur is a 2-D sinc instead (cutoff uniform in
        /// [π/3, π] for kernels under 13 pixels, [π/5, π] for larger ones).
        public var sincProbability: Double
        /// Range of the Gaussian-family σ (both axes), pixels.
        public var blurSigmaRange: ClosedRange<Double>
        /// Range of the generalized Gaussian's β.
        public var generalizedBetaRange: ClosedRange<Double>
        /// Range of the plateau kernel's β.
        public var plateauBetaRange: ClosedRange<Double>
        /// Probabilities of scaling up, down, or keeping the size.
        public var resizeProbabilities: [Double]
        /// Range of the scale factor (up: [1, max]; down: [min, 1]).
        public var resizeRange: ClosedRange<Double>
        /// Probability of Gaussian noise; Poisson noise otherwise.
        public var gaussianNoiseProbability: Double
        /// Range of the Gaussian noise σ, in 8-bit levels (σ/255 in image units).
        public var noiseSigmaRange: ClosedRange<Double>
        /// Range of the Poisson noise scale.
        public var poissonScaleRange: ClosedRange<Double>
        /// Probability that the noise is gray (one value for all colour channels).
        public var grayNoiseProbability: Double
        /// Range of the JPEG quality (drawn uniformly, rounded to a whole number).
        public var jpegQualityRange: ClosedRange<Double>

        /// A stage with the given parameters.
        public init(kernelProbabilities: [Double], sincProbability: Double,
                    blurSigmaRange: ClosedRange<Double>, generalizedBetaRange: ClosedRange<Double>,
                    plateauBetaRange: ClosedRange<Double>, resizeProbabilities: [Double],
                    resizeRange: ClosedRange<Double>, gaussianNoiseProbability: Double,
                    noiseSigmaRange: ClosedRange<Double>, poissonScaleRange: ClosedRange<Double>,
                    grayNoiseProbability: Double, jpegQualityRange: ClosedRange<Double>) {
            self.kernelProbabilities = kernelProbabilities
            self.sincProbability = sincProbability
            self.blurSigmaRange = blurSigmaRange
            self.generalizedBetaRange = generalizedBetaRange
            self.plateauBetaRange = plateauBetaRange
            self.resizeProbabilities = resizeProbabilities
            self.resizeRange = resizeRange
            self.gaussianNoiseProbability = gaussianNoiseProbability
            self.noiseSigmaRange = noiseSigmaRange
            self.poissonScaleRange = poissonScaleRange
            self.grayNoiseProbability = grayNoiseProbability
            self.jpegQualityRange = jpegQualityRange
        }
    }

    /// The first degradation order.
    public var first: Stage
    /// The second degradation order.
    public var second: Stage
    /// Probability that the second order blurs at all.
    public var secondBlurProbability: Double
    /// Probability of the final 2-D sinc filter (cutoff uniform in [π/3, π]).
    public var finalSincProbability: Double
    /// Blur kernel sides, drawn uniformly (odd).
    public var kernelSizes: [Int]
    /// The output is the input's size divided by this (rounded down).
    public var scale: Int

    /// Settings with the given parameters.
    public init(first: Stage, second: Stage, secondBlurProbability: Double,
                finalSincProbability: Double, kernelSizes: [Int], scale: Int) {
        self.first = first
        self.second = second
        self.secondBlurProbability = secondBlurProbability
        self.finalSincProbability = finalSincProbability
        self.kernelSizes = kernelSizes
        self.scale = scale
    }

    /// Real-ESRGAN x4plus's training degradation.
    public static let x4plus = RealESRGANSettings(
        first: Stage(kernelProbabilities: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], sincProbability: 0.1,
                     blurSigmaRange: 0.2 ... 3, generalizedBetaRange: 0.5 ... 4, plateauBetaRange: 1 ... 2,
                     resizeProbabilities: [0.2, 0.7, 0.1], resizeRange: 0.15 ... 1.5,
                     gaussianNoiseProbability: 0.5, noiseSigmaRange: 1 ... 30, poissonScaleRange: 0.05 ... 3,
                     grayNoiseProbability: 0.4, jpegQualityRange: 30 ... 95),
        second: Stage(kernelProbabilities: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], sincProbability: 0.1,
                      blurSigmaRange: 0.2 ... 1.5, generalizedBetaRange: 0.5 ... 4, plateauBetaRange: 1 ... 2,
                      resizeProbabilities: [0.3, 0.4, 0.3], resizeRange: 0.3 ... 1.2,
                      gaussianNoiseProbability: 0.5, noiseSigmaRange: 1 ... 25, poissonScaleRange: 0.05 ... 2.5,
                      grayNoiseProbability: 0.4, jpegQualityRange: 30 ... 95),
        secondBlurProbability: 0.8, finalSincProbability: 0.8,
        kernelSizes: Array(stride(from: 7, through: 21, by: 2)), scale: 4)
}
