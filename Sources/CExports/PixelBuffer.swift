import CRestoreABI
import RestoreKitCore

/// A host's interleaved RGBA buffer: where it is, its size and row stride,
/// checked so that every byte the library touches lies inside it.
struct PixelBuffer<Sample> {
    let base: UnsafeRawPointer
    let width: Int
    let height: Int
    let stride: Int

    /// Checks a caller's buffer description; `name` appears in messages ("src").
    init(_ pointer: UnsafeRawPointer?, width: Int, height: Int, stride: Int, name: String) throws {
        guard let pointer else { throw RestoreError(.invalidArgument, "\(name) is NULL") }
        try ImageLimits.default.check(width: width, height: height)
        let rowBytes = width * 4 * MemoryLayout<Sample>.size
        guard stride >= rowBytes else {
            throw RestoreError(.invalidArgument,
                "\(name) stride \(stride) is less than a row of \(width) RGBA pixels (\(rowBytes) bytes)")
        }
        let (span, overflow) = (height - 1).multipliedReportingOverflow(by: stride)
        guard !overflow, !span.addingReportingOverflow(rowBytes).overflow else {
            throw RestoreError(.invalidArgument, "\(name): \(height) rows of stride \(stride) overflow the address space")
        }
        let alignment = MemoryLayout<Sample>.alignment
        guard Int(bitPattern: pointer) % alignment == 0, stride % alignment == 0 else {
            throw RestoreError(.invalidArgument, "\(name) and its stride must be multiples of \(alignment) bytes")
        }
        base = pointer
        self.width = width
        self.height = height
        self.stride = stride
    }

    func row(_ y: Int) -> UnsafePointer<Sample> {
        (base + y * stride).assumingMemoryBound(to: Sample.self)
    }

    func mutableRow(_ y: Int) -> UnsafeMutablePointer<Sample> {
        UnsafeMutableRawPointer(mutating: base + y * stride).assumingMemoryBound(to: Sample.self)
    }
}

/// A sample type hosts hand pixels over in: float32 or 8-bit.
protocol HostSample {
    /// The pixels of `buffer` as a planar RGBA image in `encoding`.
    static func image(of buffer: PixelBuffer<Self>, encoding: ColorEncoding) throws -> Image
    /// Writes an RGBA image of `buffer`'s size into it.
    static func write(_ image: Image, to buffer: PixelBuffer<Self>)
}

extension PixelBuffer where Sample: HostSample {
    /// The pixels as a planar RGBA image in `encoding`.
    func image(encoding: ColorEncoding) throws -> Image {
        try Sample.image(of: self, encoding: encoding)
    }

    /// Writes an RGBA image of this buffer's size.
    func write(_ image: Image) {
        Sample.write(image, to: self)
    }
}

extension Float: HostSample {
    /// The largest magnitude a host's sample keeps (the half-float range): far beyond
    /// any picture's values, small enough that no restorer's sums of squares overflow.
    static let hostSampleLimit: Float = 65504

    /// Non-finite samples become 0; the others are clamped to ±`hostSampleLimit`.
    static func image(of buffer: PixelBuffer<Float>, encoding: ColorEncoding) throws -> Image {
        let (width, height) = (buffer.width, buffer.height)
        var image = try Image(width: width, height: height, layout: .rgba, encoding: encoding)
        let plane = width * height
        image.samples.withUnsafeMutableBufferPointer { out in
            for y in 0 ..< height {
                let src = buffer.row(y)
                for x in 0 ..< width {
                    for c in 0 ..< 4 {
                        let v = src[x * 4 + c]
                        out[c * plane + y * width + x] = v.isFinite ? min(max(v, -hostSampleLimit), hostSampleLimit) : 0
                    }
                }
            }
        }
        return image
    }

    static func write(_ image: Image, to buffer: PixelBuffer<Float>) {
        let (width, height) = (buffer.width, buffer.height)
        let plane = width * height
        image.samples.withUnsafeBufferPointer { src in
            for y in 0 ..< height {
                let dst = buffer.mutableRow(y)
                for x in 0 ..< width {
                    for c in 0 ..< 4 { dst[x * 4 + c] = src[c * plane + y * width + x] }
                }
            }
        }
    }
}

extension UInt8: HostSample {
    static func image(of buffer: PixelBuffer<UInt8>, encoding: ColorEncoding) throws -> Image {
        let (width, height) = (buffer.width, buffer.height)
        var bytes = [UInt8](repeating: 0, count: width * height * 4)
        bytes.withUnsafeMutableBytes { out in
            for y in 0 ..< height {
                (out.baseAddress! + y * width * 4).copyMemory(from: buffer.row(y), byteCount: width * 4)
            }
        }
        var image = try bytes.withUnsafeBufferPointer {
            try Image(interleaved8: $0, width: width, height: height, layout: .rgba)
        }
        image.encoding = encoding
        return image
    }

    /// Rounded to 8 bits.
    static func write(_ image: Image, to buffer: PixelBuffer<UInt8>) {
        let bytes = image.interleaved8()
        bytes.withUnsafeBytes { raw in
            for y in 0 ..< buffer.height {
                UnsafeMutableRawPointer(buffer.mutableRow(y)).copyMemory(from: raw.baseAddress! + y * buffer.width * 4,
                                                                         byteCount: buffer.width * 4)
            }
        }
    }
}

extension Rect {
    /// A caller's rectangle; NULL is an error naming `name`.
    init(_ rect: UnsafePointer<restore_rect>?, name: String) throws {
        guard let r = rect?.pointee else { throw RestoreError(.invalidArgument, "\(name) is NULL") }
        self.init(x: Int(r.x), y: Int(r.y), width: Int(r.width), height: Int(r.height))
        guard !isEmpty else { throw RestoreError(.invalidArgument, "\(name) \(self) is empty") }
    }
}

extension restore_rect {
    /// A core rectangle for a C caller.
    init(_ rect: Rect) {
        self.init(x: Int32(rect.x), y: Int32(rect.y), width: Int32(rect.width), height: Int32(rect.height))
    }
}
