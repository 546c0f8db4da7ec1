/// What `DegradationAnalyzer` found wrong with an image: each degradation's
/// estimate with its confidence, and from them the restoration prompt, DaLPSR's
/// degree levels and an XPSR-style quality sentence.
public struct DegradationAnalysis: Sendable, Equatable {
    /// Additive noise.
    public var noise: NoiseEstimate
    /// Gaussian blur.
    public var blur: BlurEstimate
    /// JPEG compression.
    public var jpeg: JPEGEstimate
    /// Earlier enlargement.
    public var upsampling: UpsamplingEstimate

    /// Noise below this σ (two 8-bit levels) is left out of the prompt:
    /// removing it changes little and costs texture.
    public static let noiseThreshold = 0.008
    /// Noise measured with less confidence than this (texture passing for
    /// noise, too few flat areas) is not stated: the prompt says nothing
    /// rather than a wrong number, and a bare "Denoise" is refused.
    public static let noiseConfidenceThreshold = 0.05
    /// Blur below this σ (pixels) is left out: photographs' in-focus edges
    /// are about that soft, and deconvolving it mostly sharpens noise.
    public static let blurThreshold = 0.6
    /// The prompt states the blur estimate shrunk in quadrature by this much
    /// (pixels), so a blur is deconvolved only when the estimate clears about
    /// 0.78 px. Overestimates cost far more than underestimates, and
    /// unblurred photographs measure up to 0.9 px on their own (natural
    /// softness, film grain, JPEG smoothing); see bench/NOTES.md.
    public static let blurMargin = 0.5
    /// Below this JPEG quality the blur estimate needs to be at least
    /// `compressedBlurMinimum` to be stated: coarse quantisation smooths edges
    /// like a blur (an unblurred photograph at quality 31 measured 1.54 px),
    /// and the deblocker's residue is what a deconvolution amplifies most.
    public static let compressedBlurQuality = 50
    /// See `compressedBlurQuality`.
    public static let compressedBlurMinimum = 2.0
    /// JPEG above this quality (the top of SPIRE's range) is left out: its
    /// artefacts are below what the eye or PSNR notice.
    public static let jpegQualityThreshold = 92

    public init(noise: NoiseEstimate, blur: BlurEstimate, jpeg: JPEGEstimate, upsampling: UpsamplingEstimate) {
        self.noise = noise
        self.blur = blur
        self.jpeg = jpeg
        self.upsampling = upsampling
    }

    /// The estimates as prompt values: σ_blur to 0.01 px (after the margin;
    /// 0 when too small to state), σ_noise to 0.001, JPEG quality whole.
    var blurValue: Double {
        // Coarse quantisation, and a camera's demosaicing with its grain, soften edges like a blur.
        let softened = (jpeg.quality ?? 100) < Self.compressedBlurQuality
            || noise.grain >= NoiseEstimate.grainThreshold
        if softened, blur.sigma < Self.compressedBlurMinimum { return 0 }
        let shrunk = (max(0, blur.sigma * blur.sigma - Self.blurMargin * Self.blurMargin)).squareRoot()
        return shrunk >= Self.blurThreshold ? (shrunk * 100).rounded() / 100 : 0
    }
    var noiseValue: Double { (noise.sigma * 1000).rounded() / 1000 }

    /// A tone is stated when a brightness band was measured within this much
    /// of its level (sample values): the profile never extrapolates further.
    public static let toneReach = 0.2

    /// The noise profile the prompt states: σ to 0.001 at the tones the
    /// measured brightness bands reach, when the noise clearly changes with
    /// brightness and two tones or more are reached, and the grain to 0.1
    /// when it is at least `NoiseEstimate.grainThreshold`; nil for neither.
    var noiseProfileValue: NoiseProfile? {
        let bands = noise.byBrightness.map { (level: $0.brightness, sigma: $0.sigma) }
        var tones: [NoiseProfile.Tone] = []
        if noise.signalDependent, let first = bands.first, let last = bands.last {
            tones = NoiseProfile.Tone.allCases.filter {
                $0.level >= first.level - Self.toneReach && $0.level <= last.level + Self.toneReach
            }
        }
        let profile = NoiseProfile(measured: bands, at: tones.count >= 2 ? tones : [],
                                   grain: noise.grain >= NoiseEstimate.grainThreshold ? noise.grain : 1)
        return profile == NoiseProfile() ? nil : profile
    }

    /// `prompt` with Denoise's measured σ, and its profile where there is one.
    private func denoising(_ prompt: RestorationPrompt) -> RestorationPrompt {
        var prompt = prompt
        prompt.denoiseProfile = noiseProfileValue
        prompt.denoise = .value(prompt.denoiseProfile?.midGreySigma(uniform: noiseValue) ?? noiseValue)
        return prompt
    }

    /// The restoration prompt the image asks for: a clause for each
    /// degradation strong enough to matter (see the thresholds), in canonical
    /// order; the empty prompt for a clean image. Never "Upsample": enlarging
    /// is the user's choice, not a defect (`upsampling` reports an earlier one).
    public var prompt: RestorationPrompt {
        var prompt = RestorationPrompt()
        if blurValue > 0 { prompt.deblur = .value(blurValue) }
        if noiseValue >= Self.noiseThreshold, noise.confidence >= Self.noiseConfidenceThreshold {
            prompt = denoising(prompt)
        }
        if let quality = jpeg.quality, quality <= Self.jpegQualityThreshold { prompt.dejpeg = .value(quality) }
        return prompt
    }

    /// DaLPSR's four degree levels of blur, noise and JPEG.
    public var levels: DegradationLevels {
        DegradationLevels(blurSigma: blur.sigma, noiseSigma: noise.sigma, jpegQuality: jpeg.quality)
    }

    /// `prompt` with every clause that asks for an estimate filled in:
    ///
    /// - stated values stay as stated;
    /// - a bare "Deblur", "Denoise" or "Dejpeg" gets the estimate, however
    ///   small (blur without the margin: the user asked for it), and is
    ///   dropped when there is nothing to remove (no blur, no JPEG
    ///   compression);
    /// - an empty prompt, and "Remove all degradation", become `self.prompt`'s
    ///   clauses for every degradation not stated (blind mode is then carried
    ///   out by those clauses);
    /// - a bare "Upsample" stays bare: the output size is the caller's choice.
    ///
    /// With a stated factor F, a filled-in blur is F times the measured one,
    /// since the prompt states blur at the output resolution (SPIRE's order:
    /// blur, then downsampling).
    ///
    /// - Throws: `invalidPrompt` for a bare "Denoise" when the noise could not
    ///   be measured with confidence (`noiseConfidenceThreshold`).
    public func filling(_ prompt: RestorationPrompt) throws(RestoreError) -> RestorationPrompt {
        var filled = prompt
        let scale = prompt.upsample?.value ?? 1
        // The prompt language caps blur at 10 px.
        func scaled(_ sigma: Double) -> Double { min((sigma * scale * 100).rounded() / 100, 10) }
        if prompt.isEmpty || prompt.removeAllDegradation {
            let found = self.prompt
            if filled.deblur == nil, blurValue > 0 { filled.deblur = .value(scaled(blurValue)) }
            if filled.denoise == nil { (filled.denoise, filled.denoiseProfile) = (found.denoise, found.denoiseProfile) }
            if filled.dejpeg == nil { filled.dejpeg = found.dejpeg }
            filled.removeAllDegradation = false
        }
        if filled.deblur == .estimate { filled.deblur = blur.sigma >= 0.01 ? .value(scaled(blur.sigma)) : nil }
        if filled.denoise == .estimate {
            guard noise.confidence >= Self.noiseConfidenceThreshold else {
                let confidence = (noise.confidence * 100).rounded() / 100
                throw RestoreError(.invalidPrompt, "'Denoise' needs a number here: the noise could not be measured "
                    + "(confidence \(confidence), below \(Self.noiseConfidenceThreshold): texture or too few flat "
                    + "areas); state it, e.g. 'Denoise with sigma 0.03'")
            }
            filled = denoising(filled)
        }
        if filled.dejpeg == .estimate { filled.dejpeg = jpeg.quality.map { .value($0) } }
        return filled
    }
}
