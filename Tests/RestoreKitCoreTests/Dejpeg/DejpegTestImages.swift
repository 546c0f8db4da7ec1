import Testing
@testable import RestoreKitCore

/// Images the JPEG deblocking tests make from the CC0 sample photo.
enum DejpegTestImages {
    /// A `width` × `height` crop of the sample, from its top-left quarter's
    /// textured middle (fur, whiskers, background), in colour or as gray.
    static func crop(width: Int, height: Int, gray: Bool = false) -> Image {
        let colour = TestSupport.sample.colorOnly.cropped(to: Rect(x: 120, y: 60, width: width, height: height))
        guard gray else { return colour }
        let n = colour.planeCount
        let samples = (0 ..< n).map { i -> Float in
            let (r, g, b) = (colour.samples[i], colour.samples[n + i], colour.samples[2 * n + i])
            let luma: Float = 0.299 * r + 0.587 * g + 0.114 * b
            return (luma * 255).rounded() / 255
        }
        return try! Image(width: width, height: height, layout: .gray, samples: samples)
    }

    /// `image` compressed by libjpeg-turbo at `quality` (4:2:0 for colour) and
    /// decoded, with the file's tables.
    static func compressed(_ image: Image, quality: Int,
                           chroma: ChromaSubsampling = .both) throws -> (image: Image, tables: JPEGTables) {
        let decoded = try JPEGCodec.decode(JPEGCodec.encode(image, quality: quality, chroma: chroma))
        let info = try #require(decoded.jpeg)
        let tables = JPEGTables(luma: try #require(info.table(forComponent: 0)),
                                chroma: info.table(forComponent: 1))
        return (decoded.image, tables)
    }

    /// The plane the deblockers restore: gray as is, else the JFIF luma, on the
    /// 0–255 scale.
    static func lumaPlane(_ image: Image) -> JPEGPlane {
        if image.layout.colorChannelCount == 1 {
            return JPEGPlane(width: image.width, height: image.height, samples: image.samples.map { $0 * 255 })
        }
        return JFIFColor.planes(of: image).y
    }
}
