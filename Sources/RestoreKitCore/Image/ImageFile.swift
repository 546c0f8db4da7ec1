/// How to write an image file.
public struct EncodeOptions: Sendable {
    /// The file format; nil means "from the file name's extension".
    public var format: ImageFormat?
    /// PNG bits per sample: 8 or 16.
    public var bitDepth: Int
    /// JPEG quality, 1–100.
    public var quality: Int
    /// JPEG chroma subsampling.
    public var chroma: ChromaSubsampling
    /// An ICC profile to embed (typically the one the input carried).
    public var iccProfile: [UInt8]?

    /// 8-bit PNG or quality-90 4:2:0 JPEG, chosen by extension.
    public init(format: ImageFormat? = nil, bitDepth: Int = 8, quality: Int = 90,
                chroma: ChromaSubsampling = .both, iccProfile: [UInt8]? = nil) {
        self.format = format
        self.bitDepth = bitDepth
        self.quality = quality
        self.chroma = chroma
        self.iccProfile = iccProfile
    }
}

/// Reading and writing image files by path.
public enum ImageFile {
    /// Decodes the PNG or JPEG at `path`, recognised by its signature.
    public static func read(_ path: String, limits: ImageLimits = .default) throws -> DecodedImage {
        try decode(try FileIO.read(path), limits: limits, name: "'\(path)'")
    }

    /// Decodes PNG or JPEG bytes, recognised by their signature.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default,
                              name: String = "the data") throws -> DecodedImage {
        switch ImageFormat(detecting: bytes) {
        case .png: return try PNGCodec.decode(bytes, limits: limits)
        case .jpeg: return try JPEGCodec.decode(bytes, limits: limits)
        case nil:
            throw RestoreError(.decodeFailed, "\(name) is neither a PNG nor a JPEG file")
        }
    }

    /// Encodes `image` as `options` say (converted to sRGB first if it is linear).
    public static func encode(_ image: Image, options: EncodeOptions) throws -> [UInt8] {
        let srgb = image.converted(to: .sRGB)
        switch options.format ?? .png {
        case .png: return try PNGCodec.encode(srgb, bitDepth: options.bitDepth, iccProfile: options.iccProfile)
        case .jpeg:
            guard options.bitDepth == 8 else {
                throw RestoreError(.invalidArgument, "JPEG files hold 8 bits per sample, not \(options.bitDepth)")
            }
            return try JPEGCodec.encode(srgb, quality: options.quality, chroma: options.chroma,
                                        iccProfile: options.iccProfile)
        }
    }

    /// Encodes `image` and writes it atomically to `path`: a failed write leaves
    /// no partial file. The format comes from `options` or else the extension.
    public static func write(_ image: Image, to path: String, options: EncodeOptions = .init()) throws {
        var options = options
        if options.format == nil {
            guard let format = ImageFormat(path: path) else {
                throw RestoreError(.invalidArgument,
                    "cannot tell the format of '\(path)' from its extension; use .png, .jpg or .jpeg")
            }
            options.format = format
        }
        try FileIO.writeAtomically(try encode(image, options: options), to: path)
    }
}
