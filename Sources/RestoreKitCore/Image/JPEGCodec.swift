import CImageCodecs

/// Chroma subsampling of a JPEG encode.
public enum ChromaSubsampling: String, Sendable, CaseIterable {
    case none = "4:4:4"
    case horizontal = "4:2:2"
    case both = "4:2:0"
}

/// JPEG decoding and encoding through libjpeg-turbo.
public enum JPEGCodec {
    /// Decodes baseline or progressive gray/RGB/YCbCr JPEGs exactly as libjpeg-turbo's
    /// defaults (and `djpeg`) do, keeping the quantisation tables. CMYK is refused.
    /// Corrupt data libjpeg can recover from yields an image plus `warnings`.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> DecodedImage {
        var err = [CChar](repeating: 0, count: Int(RK_ERR_LEN))
        return try bytes.withUnsafeBufferPointer { data in
            var info = rk_jpeg_info()
            guard let reader = rk_jpeg_open(data.baseAddress, data.count, &info, &err) else {
                throw RestoreError(.decodeFailed, "JPEG: \(cMessage(err))")
            }
            defer { rk_jpeg_close(reader) }
            let width = Int(info.width), height = Int(info.height)
            try limits.check(width: width, height: height)
            let layout: PixelLayout = info.channels == 1 ? .gray : .rgb
            var raw = [UInt8](repeating: 0, count: width * height * layout.channelCount)
            guard rk_jpeg_read(reader, &raw, &err) == 0 else {
                throw RestoreError(.decodeFailed, "JPEG: \(cMessage(err))")
            }
            let image = try raw.withUnsafeBufferPointer {
                try Image(interleaved8: $0, width: width, height: height, layout: layout, limits: limits)
            }
            var first: UnsafePointer<CChar>?
            let warningCount = Int(rk_jpeg_warnings(reader, &first))
            var warnings: [String] = []
            if let first {
                warnings.append(String(cString: first)
                    + (warningCount > 1 ? " (and \(warningCount - 1) more warnings)" : ""))
            }
            var iccSize = 0
            let icc = rk_jpeg_icc_profile(reader, &iccSize).map { Array(UnsafeBufferPointer(start: $0, count: iccSize)) }
            let jpeg = jpegInfo(info)
            let storage = [info.progressive != 0 ? "progressive" : "baseline",
                           jpeg.chromaSubsampling ?? (info.components == 1 ? "gray" : "\(info.components) components")]
            return DecodedImage(image: image, format: .jpeg, bitDepth: 8,
                                storage: storage.joined(separator: ", "), iccProfile: icc,
                                jpeg: jpeg, warnings: warnings)
        }
    }

    /// Encodes gray or RGB at IJG `quality` (1–100). Alpha must be fully opaque
    /// (JPEG cannot store it): transparent pixels are an error, not silently lost.
    public static func encode(_ image: Image, quality: Int = 90, chroma: ChromaSubsampling = .both,
                              iccProfile: [UInt8]? = nil) throws -> [UInt8] {
        guard (1 ... 100).contains(quality) else {
            throw RestoreError(.invalidArgument, "JPEG quality must be 1–100, not \(quality)")
        }
        if let alpha = image.alpha, alpha.contains(where: { $0 < 1 }) {
            throw RestoreError(.invalidArgument,
                "JPEG cannot store transparency and this image has transparent pixels; write a PNG instead")
        }
        let color = image.colorOnly
        var err = [CChar](repeating: 0, count: Int(RK_ERR_LEN))
        var out = rk_buffer()
        let mode: rk_chroma
        switch chroma {
        case .none: mode = RK_CHROMA_444
        case .horizontal: mode = RK_CHROMA_422
        case .both: mode = RK_CHROMA_420
        }
        let icc = iccProfile ?? []
        let status = icc.withUnsafeBufferPointer { iccBytes in
            color.interleaved8().withUnsafeBufferPointer { pixels in
                rk_jpeg_write(pixels.baseAddress, UInt32(color.width), UInt32(color.height),
                              Int32(color.layout.channelCount), Int32(quality), mode,
                              iccBytes.baseAddress, iccBytes.count, &out, &err)
            }
        }
        defer { rk_buffer_free(&out) }
        guard status == 0 else { throw RestoreError(.encodeFailed, "JPEG: \(cMessage(err))") }
        return Array(UnsafeBufferPointer(start: out.data, count: out.size))
    }

    private static func jpegInfo(_ info: rk_jpeg_info) -> JPEGInfo {
        let tables: [[UInt16]?] = withUnsafeBytes(of: info.tables) { raw in
            let steps = raw.bindMemory(to: UInt16.self)
            return withUnsafeBytes(of: info.table_present) { present in
                let flags = present.bindMemory(to: Int32.self)
                return (0 ..< 4).map { t in flags[t] != 0 ? Array(steps[t * 64 ..< (t + 1) * 64]) : nil }
            }
        }
        let n = Int(info.components)
        func components(_ tuple: (Int32, Int32, Int32, Int32)) -> [Int] {
            Array([Int(tuple.0), Int(tuple.1), Int(tuple.2), Int(tuple.3)].prefix(n))
        }
        let h = components(info.h_samp), v = components(info.v_samp)
        return JPEGInfo(tables: tables, componentTables: components(info.component_table),
                        samplingFactors: zip(h, v).map { (horizontal: $0, vertical: $1) },
                        progressive: info.progressive != 0)
    }
}
