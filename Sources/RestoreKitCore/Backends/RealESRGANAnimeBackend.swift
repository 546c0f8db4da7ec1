/// "realesrgan-anime": Real-ESRGAN's networks trained on illustrations, for
/// pictures whose semantic prompt says they are drawn (`IllustrationWords`),
/// or for every picture when chosen by name: blind restoration
/// ("Remove all degradation", any scale up to 8) with x4plus-anime, and
/// "Upsample to 2", "3" or "4" without stated blur with AnimeVideo-v3.
/// Stated noise is removed by the denoising stage before it.
public struct RealESRGANAnimeBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "realesrgan-anime" }

    public var reads: Set<RequestOption.ID> { [.semanticPrompt] }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        guard request.model.lowercased() == name || IllustrationWords.firstMatch(in: request.prompts.semantic) != nil
        else { return nil }
        switch task {
        case .blind(let scale) where scale > 0 && scale <= 8:
            return try RealESRGANRestorer(scale: scale, anime: true, models: models)
        case .upsample(let factor, 0, _) where AnimeVideoRestorer.factors.contains(Int(factor)) && factor == factor.rounded():
            return try AnimeVideoRestorer(factor: Int(factor), models: models)
        default:
            return nil
        }
    }
}
