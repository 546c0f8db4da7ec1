/// The planes a metric compares: a reference/image pair checked for agreement,
/// reduced to the chosen channels, border-cropped and widened to Double.
struct MetricPlanes {
    /// Columns left after the crop.
    let width: Int
    /// Rows left after the crop.
    let height: Int
    /// One `width × height` plane per compared channel, row by row.
    let reference: [[Double]]
    /// The image's planes, matching `reference` one for one.
    let image: [[Double]]

    /// Checks that `image` and `reference` have the same size, colour channels
    /// and encoding (alpha is ignored), and that `crop` pixels off each side
    /// leave something; throws `RestoreError(.invalidArgument)` otherwise.
    init(image: Image, reference: Image, channels: MetricChannels, crop: Int) throws {
        guard image.width == reference.width, image.height == reference.height else {
            throw RestoreError(.invalidArgument,
                "the image is \(image.width) × \(image.height) pixels and the reference "
                    + "\(reference.width) × \(reference.height); the sizes must match")
        }
        guard image.layout.colorChannelCount == reference.layout.colorChannelCount else {
            throw RestoreError(.invalidArgument,
                "the image is \(image.layout.withAlpha(false).name) and the reference "
                    + "\(reference.layout.withAlpha(false).name); the colour channels must match "
                    + "(alpha is ignored)")
        }
        guard image.encoding == reference.encoding else {
            throw RestoreError(.invalidArgument,
                "the image is \(image.encoding) and the reference \(reference.encoding); "
                    + "convert one so both have the same encoding before comparing them")
        }
        guard crop >= 0 else {
            throw RestoreError(.invalidArgument, "the border crop must be 0 or more pixels, not \(crop)")
        }
        guard 2 * crop < image.width, 2 * crop < image.height else {
            throw RestoreError(.invalidArgument,
                "a border crop of \(crop) pixels on each side leaves nothing of a "
                    + "\(image.width) × \(image.height) image")
        }
        width = image.width - 2 * crop
        height = image.height - 2 * crop
        self.reference = Self.planes(of: reference, channels: channels, crop: crop)
        self.image = Self.planes(of: image, channels: channels, crop: crop)
    }

    /// The compared planes of `image`, without `crop` pixels on each side.
    private static func planes(of image: Image, channels: MetricChannels, crop: Int) -> [[Double]] {
        let width = image.width - 2 * crop, height = image.height - 2 * crop
        let colorChannels = image.layout.colorChannelCount
        return image.samples.withUnsafeBufferPointer { samples in
            /// The sample of channel `c` at cropped column `x`, row `y`.
            func sample(_ c: Int, _ x: Int, _ y: Int) -> Double {
                Double(samples[(c * image.height + y + crop) * image.width + x + crop])
            }
            if channels == .lumaY && colorChannels == 3 {
                var luma = [Double](repeating: 0, count: width * height)
                for y in 0 ..< height {
                    for x in 0 ..< width {
                        luma[y * width + x] = LumaY.value(red: sample(0, x, y), green: sample(1, x, y),
                                                          blue: sample(2, x, y))
                    }
                }
                return [luma]
            }
            return (0 ..< colorChannels).map { c in
                var plane = [Double](repeating: 0, count: width * height)
                for y in 0 ..< height {
                    for x in 0 ..< width { plane[y * width + x] = sample(c, x, y) }
                }
                return plane
            }
        }
    }
}
