/// The largest image RestoreKit accepts, checked before any large allocation.
public struct ImageLimits: Sendable, Equatable {
    /// Most pixels (width × height) in one image.
    public var maxPixels: Int
    /// Most pixels along either side.
    public var maxSide: Int

    /// 256 megapixels, at most 65535 on either side.
    public static let `default` = ImageLimits(maxPixels: 256 << 20, maxSide: 65535)

    /// Creates limits of `maxPixels` in all and `maxSide` along either side.
    public init(maxPixels: Int, maxSide: Int) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
    }

    /// Throws `imageTooLarge` (or `invalidArgument` for empty sizes) unless a
    /// `width` × `height` image fits.
    public func check(width: Int, height: Int) throws {
        guard width > 0, height > 0 else {
            throw RestoreError(.invalidArgument, "image size \(width) × \(height) is empty")
        }
        guard width <= maxSide, height <= maxSide else {
            throw RestoreError(.imageTooLarge,
                "image is \(width) × \(height) pixels; the limit is \(maxSide) on either side")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw RestoreError(.imageTooLarge,
                "image is \(width) × \(height) pixels (\(megapixels(width * height)) MP); "
                + "the limit is \(megapixels(maxPixels)) MP")
        }
    }

    private func megapixels(_ n: Int) -> String {
        let tenths = (n * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10)"
    }
}
