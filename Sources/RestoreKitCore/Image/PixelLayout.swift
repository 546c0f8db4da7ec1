/// Which channels an image carries. Colour channels come first, alpha last.
public enum PixelLayout: Int, Sendable, CaseIterable {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4

    /// The layout with `count` channels (1–4), or nil.
    public init?(channelCount count: Int) {
        self.init(rawValue: count)
    }

    /// Number of channels, alpha included.
    public var channelCount: Int { rawValue }

    /// Number of colour channels: 1 or 3.
    public var colorChannelCount: Int { self == .gray || self == .grayAlpha ? 1 : 3 }

    /// Whether the last channel is alpha.
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }

    /// The layout with the same colour channels and the given alpha.
    public func withAlpha(_ alpha: Bool) -> PixelLayout {
        switch (colorChannelCount, alpha) {
        case (1, false): return .gray
        case (1, true): return .grayAlpha
        case (_, false): return .rgb
        case (_, true): return .rgba
        }
    }

    /// A short human name: "gray", "gray+alpha", "RGB", "RGBA".
    public var name: String {
        switch self {
        case .gray: return "gray"
        case .grayAlpha: return "gray+alpha"
        case .rgb: return "RGB"
        case .rgba: return "RGBA"
        }
    }
}

/// How sample values relate to light.
public enum ColorEncoding: Sendable, Equatable {
    /// sRGB transfer curve (what files and most hosts hold). The default.
    case sRGB
    /// Linear light.
    case linear
}
