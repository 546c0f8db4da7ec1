import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// `restore_status restore_prompt_canonical(const char *, char **, int *)`
@_cdecl("restore_prompt_canonical")
public func restore_prompt_canonical(_ text: UnsafePointer<CChar>?,
                                     _ canonical: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                     _ errorOffset: UnsafeMutablePointer<Int32>?) -> restore_status {
    perform(nil) {
        guard let text else { throw RestoreError(.invalidArgument, "restoration_prompt is NULL") }
        var fields = PromptFields()
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                        count: strnlen(text, PromptFields.maxBytes + 1))
        if let offset = PromptFields.problemOffset(utf8: bytes) { errorOffset?.pointee = Int32(offset) }
        try fields.set(.restoration, utf8: bytes)
        do {
            let prompt = try RestorationPrompt.parse(fields.restoration)
            canonical?.pointee = callerOwnedCString(prompt.description)
        } catch let error as PromptParseError {
            errorOffset?.pointee = Int32(clamping: error.offset)
            throw error.restoreError
        }
    }
}

/// `restore_status restore_output_size(const restore_params *, int, int, int *, int *)`
@_cdecl("restore_output_size")
public func restore_output_size(_ params: UnsafePointer<restore_params>?, _ width: Int32, _ height: Int32,
                                _ outWidth: UnsafeMutablePointer<Int32>?,
                                _ outHeight: UnsafeMutablePointer<Int32>?) -> restore_status {
    perform(nil) {
        guard let outWidth, let outHeight else {
            throw RestoreError(.invalidArgument, "out_width and out_height must not be NULL")
        }
        let size = try Parameters(params).request.outputSize(width: Int(width), height: Int(height))
        outWidth.pointee = Int32(size.width)
        outHeight.pointee = Int32(size.height)
    }
}

/// `restore_status restore_input_rect(restore_context *, const restore_params *, int, int,
///                                    const restore_rect *, restore_rect *)`
@_cdecl("restore_input_rect")
public func restore_input_rect(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                               _ width: Int32, _ height: Int32, _ output: UnsafePointer<restore_rect>?,
                               _ input: UnsafeMutablePointer<restore_rect>?) -> restore_status {
    perform(context) {
        let ctx = try RestoreContext.from(context)
        let parameters = try Parameters(params)
        let region = try Rect(output, name: "output")
        guard let input else { throw RestoreError(.invalidArgument, "input is NULL") }
        let needed = try ctx.engine.region(region, width: Int(width), height: Int(height),
                                           request: parameters.request).input
        input.pointee = restore_rect(needed)
    }
}

/// `restore_status restore_rgba_f32(restore_context *, const restore_params *, const float *, int, int,
///                                  size_t, float *, size_t)`
@_cdecl("restore_rgba_f32")
public func restore_rgba_f32(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                             _ src: UnsafePointer<Float>?, _ width: Int32, _ height: Int32, _ srcStride: Int,
                             _ dst: UnsafeMutablePointer<Float>?, _ dstStride: Int) -> restore_status {
    restoreWhole(context, params, src, width, height, srcStride, dst, dstStride)
}

/// `restore_status restore_rgba_u8(restore_context *, const restore_params *, const uint8_t *, int, int,
///                                 size_t, uint8_t *, size_t)`
@_cdecl("restore_rgba_u8")
public func restore_rgba_u8(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                            _ src: UnsafePointer<UInt8>?, _ width: Int32, _ height: Int32, _ srcStride: Int,
                            _ dst: UnsafeMutablePointer<UInt8>?, _ dstStride: Int) -> restore_status {
    restoreWhole(context, params, src, width, height, srcStride, dst, dstStride)
}

/// Restores a whole image for a C caller and records what ran in its context.
private func restoreWhole<Sample: HostSample>(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                                              _ src: UnsafePointer<Sample>?, _ width: Int32, _ height: Int32,
                                              _ srcStride: Int, _ dst: UnsafeMutablePointer<Sample>?,
                                              _ dstStride: Int) -> restore_status {
    perform(context) {
        let ctx = try RestoreContext.from(context)
        let parameters = try Parameters(params)
        let source = try PixelBuffer<Sample>(src, width: Int(width), height: Int(height), stride: srcStride,
                                             name: "src")
        let size = try parameters.request.outputSize(width: source.width, height: source.height)
        let target = try PixelBuffer<Sample>(dst, width: size.width, height: size.height, stride: dstStride,
                                             name: "dst")
        let result = try ctx.engine.restore(try source.image(encoding: parameters.encoding),
                                            request: parameters.request, progress: parameters.handler)
        ctx.recordSuccess(result.plan)
        target.write(result.image)
    }
}

/// `restore_status restore_region_rgba_f32(restore_context *, const restore_params *, int, int,
///     const float *, const restore_rect *, size_t, const restore_rect *, float *, size_t)`
@_cdecl("restore_region_rgba_f32")
public func restore_region_rgba_f32(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                                    _ width: Int32, _ height: Int32,
                                    _ src: UnsafePointer<Float>?, _ srcRect: UnsafePointer<restore_rect>?,
                                    _ srcStride: Int, _ output: UnsafePointer<restore_rect>?,
                                    _ dst: UnsafeMutablePointer<Float>?, _ dstStride: Int) -> restore_status {
    perform(context) {
        let ctx = try RestoreContext.from(context)
        let parameters = try Parameters(params)
        let (w, h) = (Int(width), Int(height))
        let region = try Rect(output, name: "output")
        let sourceRect = try Rect(srcRect, name: "src_rect")
        let (needed, plan) = try ctx.engine.region(region, width: w, height: h, request: parameters.request)
        guard Rect(width: w, height: h).contains(sourceRect), sourceRect.contains(needed) else {
            throw RestoreError(.invalidArgument,
                "src_rect \(sourceRect) must lie inside the \(w) × \(h) image and contain \(needed) "
                + "(see restore_input_rect)")
        }
        let source = try PixelBuffer<Float>(src, width: sourceRect.width, height: sourceRect.height,
                                            stride: srcStride, name: "src")
        let target = try PixelBuffer<Float>(dst, width: region.width, height: region.height,
                                            stride: dstStride, name: "dst")
        let pixels = try ctx.engine.render(region, of: plan, width: w, height: h,
                                           from: try source.image(encoding: parameters.encoding), at: sourceRect,
                                           progress: parameters.handler)
        ctx.recordSuccess(plan)
        target.write(pixels)
    }
}
