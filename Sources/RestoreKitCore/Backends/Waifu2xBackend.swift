/// "waifu2x": ×2 enlargement of photos, denoising at the level the stated
/// noise calls for.
public struct Waifu2xBackend: RestorationBackend {
    let models: ModelDirectory

    public var name: String { "waifu2x" }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        switch task {
        case .upsample(2, 0, let noise), .upsampleDenoise(2, 0, let noise):
            return try Waifu2xRestorer(level: Waifu2xRestorer.level(forNoise: noise), models: models)
        default:
            return nil
        }
    }
}
