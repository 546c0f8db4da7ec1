/// The learned backends, one per model package, registered when the package
/// is installed in the models folder.
public enum LearnedBackends {
    /// The backends whose models are installed, in order of preference:
    /// Real-ESRGAN's illustration networks (only where the semantic prompt
    /// says the picture is drawn), FFDNet (denoising at a stated σ), SRMD (×2/×3/×4 with stated noise),
    /// waifu2x (×2), Real-ESRGAN (blind).
    public static func installed(in models: ModelDirectory) -> [any RestorationBackend] {
        var backends: [any RestorationBackend] = []
        if models.isInstalled(ModelCatalog.realESRGAN) { backends.append(RealESRGANAnimeBackend(models: models)) }
        if models.isInstalled(ModelCatalog.ffdnet) { backends.append(FFDNetBackend(models: models)) }
        if models.isInstalled(ModelCatalog.srmd) { backends.append(SRMDBackend(models: models)) }
        if models.isInstalled(ModelCatalog.waifu2x) { backends.append(Waifu2xBackend(models: models)) }
        if models.isInstalled(ModelCatalog.realESRGAN) { backends.append(RealESRGANBackend(models: models)) }
        return backends
    }
}
