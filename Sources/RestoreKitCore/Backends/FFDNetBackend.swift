/// "ffdnet": Gaussian denoising at the stated σ (up to 75/255, or σ by
/// brightness: a noise map), and
/// deblurring of a stated Gaussian blur, alone or with stated noise, by
/// plug-and-play with FFDNet as the prior; JPEG deblocking at a stated
/// quality, FFDNet within the quantisation constraint; colour or gray.
public struct FFDNetBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "ffdnet" }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        let colors = channels == 1 ? 1 : 3
        switch task {
        case .denoise(let sigma) where FFDNetRestorer.accepts(sigma: sigma):
            return try FFDNetRestorer(sigma: sigma, colors: colors, models: models)
        case .denoiseProfile(let sigma, let profile) where FFDNetRestorer.accepts(sigma: sigma, profile: profile):
            return try FFDNetRestorer(sigma: sigma, profile: profile, colors: colors, models: models)
        case .deblur(let sigma, let noise) where PlugAndPlayDeblurrer.accepts(sigma: sigma, noise: noise),
             .deblurDenoise(let sigma, let noise) where PlugAndPlayDeblurrer.accepts(sigma: sigma, noise: noise):
            return try PlugAndPlayDeblurrer(sigma: sigma, noise: noise, colors: colors, models: models)
        case .dejpeg(let quality, let tables):
            return try PlugAndPlayDeblocker(quality: quality, tables: tables, chroma: tables?.subsampling ?? .both,
                                            models: models)
        default:
            return nil
        }
    }
}
