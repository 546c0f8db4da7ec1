/// "srmd": enlargement by up to 4 (natively 2, 3 or 4), undoing a bicubic
/// downscale and the stated Gaussian blur before it, with the stated Gaussian
/// noise removed at the same time.
public struct SRMDBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "srmd" }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        switch task {
        case .upsample(let factor, let blur, let noise), .upsampleDenoise(let factor, let blur, let noise):
            guard SRMDRestorer.accepts(factor: factor, blur: blur, noise: noise) else { return nil }
            return try SRMDRestorer(factor: factor, blur: blur, noise: noise, models: models)
        default:
            return nil
        }
    }
}
