/// "Upsample to F" without learned weights: Lanczos-3 interpolation refined by
/// iterative back-projection through the degradation model the prompt states,
/// with ringing clamped to the local range of the observation.
///
/// The model (SPIRE's, and `PromptDegradation`'s): the observed image is the
/// high-resolution scene blurred by a Gaussian of `blur` high-resolution pixels
/// (0: none), downscaled with antialiased bicubic (Pillow's `BICUBIC`, which
/// matches MATLAB's `imresize`), plus noise of `noise`. The result is an image
/// whose degradation reproduces the input closely.
///
/// Output size: each side times `factor`, rounded to the nearest pixel (halves
/// away from zero), at least 1 — `RestorationPrompt.scaled`. Output pixel
/// (i, j) is centred at ((i + ½)·w/W, (j + ½)·h/H) in input pixels (w × h the
/// input, W × H the output), Pillow's grid, so a non-integer factor scales each
/// axis by exactly W/w and H/h.
///
/// Works region by region: a region's pixels equal those of a whole-image run
/// up to float rounding, borders included. Deterministic; gray or RGB.
public struct BackProjectionUpsampler: Restorer {
    /// The enlargement, 1…8.
    public let factor: Double
    /// σ of the Gaussian blur that preceded the downscale, in output pixels,
    /// 0…10 (0: none).
    public let blur: Double
    /// σ of the noise in the input, in [0, 1] units (0: none).
    public let noise: Double

    let schedule: BackProjectionSchedule

    /// An upsampler by `factor` (1…8) for an input that was blurred by a
    /// Gaussian of `blur` output pixels (0…10) before downscaling and carries
    /// noise of `noise` (0…1). Out-of-range values are reported by `restore`.
    public init(factor: Double, blur: Double, noise: Double) {
        self.factor = factor
        self.blur = blur
        self.noise = noise
        schedule = BackProjectionSchedule(factor: factor, blur: blur, noise: noise)
    }

    public var name: String { "back-projection" }

    /// Each side times `factor`, rounded, at least 1 (a factor that is not a
    /// finite positive number leaves the size as is; `restore` rejects it).
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        guard factor.isFinite, factor > 0 else { return (width, height) }
        return (RestorationPrompt.scaled(width, factor), RestorationPrompt.scaled(height, factor))
    }

    /// The input pixels under `output` and `schedule.halo` more on each side.
    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        let (outputWidth, outputHeight) = outputSize(width: inputWidth, height: inputHeight)
        let x = Self.footprint(output.x ..< output.maxX, low: inputWidth, high: outputWidth, halo: schedule.halo)
        let y = Self.footprint(output.y ..< output.maxY, low: inputHeight, high: outputHeight, halo: schedule.halo)
        return Rect(x: x.lowerBound, y: y.lowerBound, width: x.count, height: y.count)
    }

    /// The output pixels of `output`, from `input` holding the input pixels of
    /// `inputRect` (what `inputRect(for: output, …)` returned, or more); each
    /// channel is restored on its own and clipped to [0, 1].
    ///
    /// Throws `invalidArgument` for parameters outside the grammar's ranges or
    /// an input that does not cover `output`, `cancelled` once the context is.
    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        try validate()
        guard input.width == inputRect.width, input.height == inputRect.height,
              Rect(width: inputWidth, height: inputHeight).contains(inputRect) else {
            throw RestoreError(.invalidArgument,
                "the input holds \(input.width) × \(input.height) pixels for the region \(inputRect) "
                + "of a \(inputWidth) × \(inputHeight) image")
        }
        let (outputWidth, outputHeight) = outputSize(width: inputWidth, height: inputHeight)
        let window = Self.window(over: inputRect, low: (inputWidth, inputHeight), high: (outputWidth, outputHeight))
        guard !output.isEmpty, window.contains(output) else {
            throw RestoreError(.invalidArgument,
                "the output region \(output) needs more input than the region \(inputRect) holds")
        }
        let method = BackProjection(
            horizontal: try UpsampleAxis(lowSize: inputWidth, highSize: outputWidth, blur: blur),
            vertical: try UpsampleAxis(lowSize: inputHeight, highSize: outputHeight, blur: blur),
            schedule: schedule)
        var samples: [Float] = []
        samples.reserveCapacity(output.width * output.height * input.layout.channelCount)
        let channels = input.layout.channelCount
        for c in 0 ..< channels {
            let low = WindowPlane(channel: c, of: input, origin: (inputRect.x, inputRect.y))
            let estimate = try method.restore(low, over: window, context: context,
                                              from: Double(c) / Double(channels),
                                              to: Double(c + 1) / Double(channels))
            samples.append(contentsOf: estimate.samples(in: output).map { min(max($0, 0), 1) })
        }
        return try Image(width: output.width, height: output.height, layout: input.layout,
                         encoding: input.encoding, samples: samples)
    }

    /// Throws unless the parameters are in the grammar's ranges.
    private func validate() throws {
        guard !BackProjectionSchedule.accepts(factor: factor, blur: blur, noise: noise) else { return }
        throw RestoreError(.invalidArgument,
            "upsampling needs a factor from 1 to 8, a blur sigma from 0 to 10 pixels and a noise sigma "
            + "from 0 to 1; got factor \(factor), blur \(blur), noise \(noise)")
    }

    /// The input samples along one axis under output samples `outputs`
    /// (those holding their centres), widened by `halo` and clipped, for
    /// `low` input and `high` output samples.
    static func footprint(_ outputs: Range<Int>, low: Int, high: Int, halo: Int) -> Range<Int> {
        guard !outputs.isEmpty else { return 0 ..< 0 }
        // Output sample i is centred at (2i + 1)·low / (2·high) input samples.
        let first = (2 * outputs.lowerBound + 1) * low / (2 * high)
        let last = (2 * (outputs.upperBound - 1) + 1) * low / (2 * high)
        return max(0, first - halo) ..< min(low, last + 1 + halo)
    }

    /// The output samples along one axis whose centres lie in input samples `inputs`.
    static func covered(_ inputs: Range<Int>, low: Int, high: Int) -> Range<Int> {
        // Output i is covered when (2i + 1)·low ≥ 2·start·high, i.e.
        // i ≥ (2·start·high − low) / (2·low), rounded up; likewise for the end.
        func firstAtOrAfter(_ boundary: Int) -> Int {
            let numerator = 2 * boundary * high - low, denominator = 2 * low
            return numerator <= 0 ? 0 : (numerator + denominator - 1) / denominator
        }
        return firstAtOrAfter(inputs.lowerBound) ..< min(high, firstAtOrAfter(inputs.upperBound))
    }

    /// The output window the iterations run over for the input region `inputs`.
    static func window(over inputs: Rect, low: (Int, Int), high: (Int, Int)) -> Rect {
        let x = covered(inputs.x ..< inputs.maxX, low: low.0, high: high.0)
        let y = covered(inputs.y ..< inputs.maxY, low: low.1, high: high.1)
        return Rect(x: x.lowerBound, y: y.lowerBound, width: x.count, height: y.count)
    }
}
