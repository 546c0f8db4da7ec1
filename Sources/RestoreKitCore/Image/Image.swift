/// A raster image of float32 samples in [0, 1].
///
/// Samples are stored *planar*: all of channel 0 row by row, then channel 1, and
/// so on (the layout restorers and networks work in; hosts' interleaved buffers
/// are converted at the boundary). Colour channels come first, alpha last.
/// Values are sRGB-encoded unless `encoding` says `.linear`; alpha is straight
/// (not premultiplied).
public struct Image: Sendable, Equatable {
    /// Width in pixels (at least 1).
    public let width: Int
    /// Height in pixels (at least 1).
    public let height: Int
    /// The channels carried.
    public let layout: PixelLayout
    /// How values relate to light.
    public var encoding: ColorEncoding
    /// `layout.channelCount` planes of `width × height` samples, plane after plane.
    public var samples: [Float]

    /// A black (and transparent) image, after checking the size against `limits`.
    public init(width: Int, height: Int, layout: PixelLayout,
                encoding: ColorEncoding = .sRGB, limits: ImageLimits = .default) throws {
        try limits.check(width: width, height: height)
        self.width = width
        self.height = height
        self.layout = layout
        self.encoding = encoding
        self.samples = [Float](repeating: 0, count: width * height * layout.channelCount)
    }

    /// An image over existing planar `samples`; their count must match the size.
    public init(width: Int, height: Int, layout: PixelLayout,
                encoding: ColorEncoding = .sRGB, samples: [Float],
                limits: ImageLimits = .default) throws {
        try limits.check(width: width, height: height)
        guard samples.count == width * height * layout.channelCount else {
            throw RestoreError(.invalidArgument,
                "\(samples.count) samples do not fill a \(width) × \(height) \(layout.name) image")
        }
        self.width = width
        self.height = height
        self.layout = layout
        self.encoding = encoding
        self.samples = samples
    }

    /// Pixels in one plane.
    public var planeCount: Int { width * height }

    /// The sample of channel `c` at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int, c: Int) -> Float {
        get { samples[(c * height + y) * width + x] }
        set { samples[(c * height + y) * width + x] = newValue }
    }

    /// The samples of channel `c`, row by row.
    public func plane(_ c: Int) -> ArraySlice<Float> {
        samples[c * planeCount ..< (c + 1) * planeCount]
    }

    /// Replaces channel `c` with `values` (`planeCount` of them).
    public mutating func setPlane(_ c: Int, _ values: some Collection<Float>) {
        precondition(values.count == planeCount, "plane size mismatch")
        samples.replaceSubrange(c * planeCount ..< (c + 1) * planeCount, with: values)
    }

    /// The colour channels alone (alpha dropped); `self` when there is no alpha.
    public var colorOnly: Image {
        guard layout.hasAlpha else { return self }
        let n = layout.colorChannelCount * planeCount
        return Image(unchecked: width, height, layout.withAlpha(false), encoding,
                     Array(samples[0 ..< n]))
    }

    /// The alpha plane, if there is one.
    public var alpha: ArraySlice<Float>? {
        layout.hasAlpha ? plane(layout.channelCount - 1) : nil
    }

    /// This image's colour channels with `alpha` appended (or replaced).
    public func withAlpha(_ alpha: some Collection<Float>) -> Image {
        precondition(alpha.count == planeCount, "alpha size mismatch")
        var planes = colorOnly.samples
        planes.append(contentsOf: alpha)
        return Image(unchecked: width, height, layout.withAlpha(true), encoding, planes)
    }

    /// For code that has already validated the size.
    @usableFromInline
    init(unchecked width: Int, _ height: Int, _ layout: PixelLayout,
         _ encoding: ColorEncoding, _ samples: [Float]) {
        self.width = width
        self.height = height
        self.layout = layout
        self.encoding = encoding
        self.samples = samples
    }
}
