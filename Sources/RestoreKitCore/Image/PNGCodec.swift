import CImageCodecs

/// PNG decoding and encoding through libpng.
public enum PNGCodec {
    /// Decodes a PNG of any colour type and bit depth: palettes and tRNS become
    /// RGB(A) or gray+alpha, 1–4-bit gray expands, interlaced files deinterlace.
    /// The size is checked against `limits` before the pixels are allocated.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> DecodedImage {
        var err = [CChar](repeating: 0, count: Int(RK_ERR_LEN))
        return try bytes.withUnsafeBufferPointer { data in
            var info = rk_png_info()
            guard let reader = rk_png_open(data.baseAddress, data.count, &info, &err) else {
                throw RestoreError(.decodeFailed, "PNG: \(cMessage(err))")
            }
            defer { rk_png_close(reader) }
            let width = Int(info.width), height = Int(info.height)
            try limits.check(width: width, height: height)
            guard let layout = PixelLayout(channelCount: Int(info.channels)) else {
                throw RestoreError(.decodeFailed, "PNG: unsupported channel count \(info.channels)")
            }
            let count = width * height * layout.channelCount
            let image: Image
            if info.bit_depth == 16 {
                var raw = [UInt16](repeating: 0, count: count)
                guard rk_png_read(reader, &raw, &err) == 0 else {
                    throw RestoreError(.decodeFailed, "PNG: \(cMessage(err))")
                }
                image = try raw.withUnsafeBufferPointer {
                    try Image(interleaved16: $0, width: width, height: height, layout: layout, limits: limits)
                }
            } else {
                var raw = [UInt8](repeating: 0, count: count)
                guard rk_png_read(reader, &raw, &err) == 0 else {
                    throw RestoreError(.decodeFailed, "PNG: \(cMessage(err))")
                }
                image = try raw.withUnsafeBufferPointer {
                    try Image(interleaved8: $0, width: width, height: height, layout: layout, limits: limits)
                }
            }
            var iccSize = 0
            let icc = rk_png_icc_profile(reader, &iccSize).map { Array(UnsafeBufferPointer(start: $0, count: iccSize)) }
            return DecodedImage(image: image, format: .png, bitDepth: Int(info.source_bit_depth),
                                storage: storage(info), iccProfile: icc, jpeg: nil, warnings: [])
        }
    }

    /// Encodes at 8 or 16 bits per sample, keeping alpha; `iccProfile` is embedded if given.
    public static func encode(_ image: Image, bitDepth: Int = 8, iccProfile: [UInt8]? = nil) throws -> [UInt8] {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw RestoreError(.invalidArgument, "PNG bit depth must be 8 or 16, not \(bitDepth)")
        }
        var err = [CChar](repeating: 0, count: Int(RK_ERR_LEN))
        var out = rk_buffer()
        let icc = iccProfile ?? []
        let status: Int32 = icc.withUnsafeBufferPointer { iccBytes in
            let write = { (pixels: UnsafeRawPointer) in
                rk_png_write(pixels, UInt32(image.width), UInt32(image.height),
                             Int32(image.layout.channelCount), Int32(bitDepth),
                             iccBytes.baseAddress, iccBytes.count, &out, &err)
            }
            return bitDepth == 16 ? image.interleaved16().withUnsafeBytes { write($0.baseAddress!) }
                                  : image.interleaved8().withUnsafeBytes { write($0.baseAddress!) }
        }
        defer { rk_buffer_free(&out) }
        guard status == 0 else { throw RestoreError(.encodeFailed, "PNG: \(cMessage(err))") }
        return Array(UnsafeBufferPointer(start: out.data, count: out.size))
    }

    private static func storage(_ info: rk_png_info) -> String {
        let kinds = [0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"]
        var parts = [kinds[Int(info.color_type)] ?? "type \(info.color_type)"]
        if info.has_trns != 0 { parts.append("tRNS") }
        if info.interlaced != 0 { parts.append("interlaced") }
        return parts.joined(separator: ", ")
    }
}

/// The NUL-terminated message in a C error buffer.
func cMessage(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
