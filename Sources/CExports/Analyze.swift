import CRestoreABI
import RestoreKitCore
#if canImport(Glibc)
import Glibc
#endif

/// `restore_status restore_analyze_rgba_f32(restore_context *, const restore_params *, const float *, int, int,
///                                          size_t, char **, char **)`
@_cdecl("restore_analyze_rgba_f32")
public func restore_analyze_rgba_f32(_ context: OpaquePointer?, _ params: UnsafePointer<restore_params>?,
                                     _ src: UnsafePointer<Float>?, _ width: Int32, _ height: Int32, _ srcStride: Int,
                                     _ prompt: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                     _ report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> restore_status {
    perform(context) {
        let ctx = try RestoreContext.from(context)
        let parameters = try Parameters(params)
        let source = try PixelBuffer<Float>(src, width: Int(width), height: Int(height), stride: srcStride, name: "src")
        let image = try source.image(encoding: parameters.encoding)
        let plan = try ctx.engine.plan(parameters.request, for: image)
        // Both strings or neither: the caller frees what it got only on success.
        let promptText = prompt == nil ? nil : callerOwnedCString(plan.prompt.description)
        let reportText = report == nil ? nil : callerOwnedCString((plan.analysis ?? ctx.engine.analyze(image)).json)
        guard (prompt == nil || promptText != nil), (report == nil || reportText != nil) else {
            free(promptText)
            free(reportText)
            throw RestoreError(.outOfMemory, "out of memory for the analysis text")
        }
        prompt?.pointee = promptText
        report?.pointee = reportText
    }
}
