#if canImport(Glibc)
import Glibc
#endif

/// Peak signal-to-noise ratio, in decibels, for a data range of 1:
/// `10 log10(1 / MSE)`, the mean squared error taken over every compared sample.
///
/// Agrees with scikit-image's `peak_signal_noise_ratio(reference, image, data_range=1)`
/// on the same channels. Identical images (MSE 0) give `+infinity`, as the formula
/// does; it is returned as is, so callers can print "inf" or skip it when averaging.
public enum PSNR {
    /// The PSNR of `image` against `reference`, on `channels`, ignoring `crop`
    /// pixels along each border (super-resolution papers crop the scale factor).
    ///
    /// Throws `RestoreError(.invalidArgument)` when the sizes, colour channels or
    /// encodings differ, or the crop is negative or leaves no pixels.
    public static func measure(_ image: Image, reference: Image,
                               channels: MetricChannels = .color, crop: Int = 0) throws -> Double {
        let planes = try MetricPlanes(image: image, reference: reference, channels: channels, crop: crop)
        var squaredError = 0.0
        for (a, b) in zip(planes.image, planes.reference) {
            for i in a.indices {
                let d = a[i] - b[i]
                squaredError += d * d
            }
        }
        let mse = squaredError / Double(planes.reference.count * planes.width * planes.height)
        return mse == 0 ? .infinity : 10 * log10(1 / mse)
    }
}
