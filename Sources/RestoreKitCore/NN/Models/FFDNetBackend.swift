/// "ffdnet": Gaussian denoising at the stated σ (up to 75/255), colour or gray.
public struct FFDNetBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "ffdnet" }

    public func restorer(for task: RestorationTask, channels: Int) throws -> (any Restorer)? {
        guard case .denoise(let sigma) = task, FFDNetRestorer.accepts(sigma: sigma) else { return nil }
        return try FFDNetRestorer(sigma: sigma, colors: channels == 1 ? 1 : 3, models: models)
    }
}
