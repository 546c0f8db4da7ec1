extension DegradationAnalysis {
    /// XPSR's low-level quality prompt, written from the estimates: blur,
    /// noise and JPEG in words graded by DaLPSR's levels, and an earlier
    /// enlargement, e.g. "slightly blurry, strong noise, visible JPEG
    /// blocking" or "sharp, clean, no visible compression". Degradations below
    /// the prompt's thresholds read as absent.
    public var qualitySentence: String {
        let levels = self.levels
        var parts: [String] = []
        if blurValue == 0 {
            parts.append("sharp")
        } else {
            parts.append(["slightly blurry", "blurry", "very blurry", "extremely blurry"][levels.blur.rawValue])
        }
        if noiseValue < Self.noiseThreshold {
            parts.append("clean")
        } else {
            var words = ["slight noise", "noticeable noise", "strong noise", "very strong noise"][levels.noise.rawValue]
            if noise.signalDependent, let dark = noise.byBrightness.first, let bright = noise.byBrightness.last {
                words += bright.sigma > dark.sigma ? " (more in bright areas)" : " (more in dark areas)"
            }
            parts.append(words)
        }
        if let quality = jpeg.quality, quality <= Self.jpegQualityThreshold {
            parts.append(["mild JPEG artefacts", "visible JPEG blocking", "strong JPEG blocking",
                          "severe JPEG blocking"][levels.jpeg.rawValue])
        } else {
            parts.append("no visible compression")
        }
        if upsampling.factor > 1 {
            let factor = (upsampling.factor * 10).rounded() / 10
            let text = factor == factor.rounded() ? String(Int(factor)) : String(factor)
            parts.append("upscaled about \(text)× from a lower resolution")
        }
        return parts.joined(separator: ", ")
    }
}
