extension Image {
    /// The image after compression to JPEG at IJG `quality` (1–100) and decoding
    /// back, through libjpeg-turbo with 4:2:0 chroma subsampling: the default of
    /// Pillow and OpenCV and what Real-ESRGAN's DiffJPEG simulates. Colour samples
    /// are clamped and rounded to 8 bits on the way; alpha is kept as it was
    /// (JPEG cannot carry it) and gray stays gray.
    public func jpegRoundTrip(quality: Int) throws -> Image {
        let bytes = try JPEGCodec.encode(colorOnly, quality: quality, chroma: .both)
        var decoded = try JPEGCodec.decode(bytes).image
        decoded.encoding = encoding
        guard let alpha else { return decoded }
        return decoded.withAlpha(alpha)
    }
}
