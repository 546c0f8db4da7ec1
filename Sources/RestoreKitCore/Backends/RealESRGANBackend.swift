/// "realesrgan": blind restoration ("Remove all degradation") at any scale
/// up to 8 (the network enlarges ×4; other scales are resampled from that).
public struct RealESRGANBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "realesrgan" }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        guard case .blind(let scale) = task, scale > 0, scale <= 8 else { return nil }
        return try RealESRGANRestorer(scale: scale, models: models)
    }
}
