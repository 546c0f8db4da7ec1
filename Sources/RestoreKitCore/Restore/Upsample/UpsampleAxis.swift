/// One image axis of the upsampling problem: how the `lowSize` observed
/// samples along rows (or columns) relate to the `highSize` restored ones.
///
/// All three maps are built for the whole image, so a window of it computes
/// exactly what the whole image computes there; borders are handled where
/// the image ends, never where a window does.
struct UpsampleAxis: Sendable {
    /// Samples of the observed (input) image along this axis.
    let lowSize: Int
    /// Samples of the restored (output) image along this axis.
    let highSize: Int
    /// The degradation model, high → low: the stated Gaussian blur (reflect-101
    /// borders) followed by Pillow's antialiased bicubic downscale, the steps
    /// `PromptDegradation` applies for "Deblur with sigma S, Upsample to F".
    let degrade: AxisTaps
    /// The interpolator, low → high: Pillow's Lanczos-3. Sharper than bicubic,
    /// which matters because back-projection keeps whatever the interpolator
    /// puts in the degradation's null space.
    let interpolate: AxisTaps
    /// For each high sample, the low sample whose area holds its centre.
    let nearest: [Int]

    /// The axis for `lowSize` observed and `highSize` restored samples, with a
    /// Gaussian blur of `blur` high-resolution pixels (0: none) in the model.
    init(lowSize: Int, highSize: Int, blur: Double) throws {
        self.lowSize = lowSize
        self.highSize = highSize
        let downscale = AxisTaps(resampling: highSize, to: lowSize, filter: .bicubic)
        if blur > 0 {
            let kernel = try BlurKernel(.gaussian(sigma: blur))
            degrade = downscale.composed(afterConvolving: kernel.factors!.horizontal)
        } else {
            degrade = downscale
        }
        interpolate = AxisTaps(resampling: lowSize, to: highSize, filter: .lanczos)
        nearest = Resampling.nearestIndices(inSize: lowSize, outSize: highSize)
    }
}
