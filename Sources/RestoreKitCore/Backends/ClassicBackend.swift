/// The weight-free restorers: always available, the floor every learned
/// backend must beat. Each honours the prompt's numbers exactly.
public struct ClassicBackend: RestorationBackend {
    public init() {}

    public var name: String { "classic" }

    public func restorer(for task: RestorationTask, request: RestorationRequest,
                         channels: Int) throws -> (any Restorer)? {
        switch task {
        case .dejpeg(let quality, let tables):
            return JPEGDeblocker(quality: quality, tables: tables, chroma: tables?.subsampling ?? .both)
        case .denoise(let sigma):
            return BM3DDenoiser(sigma: sigma)
        case .deblur(let sigma, let noise):
            return GaussianDeconvolution(sigma: sigma, noise: noise)
        case .deblurDenoise:
            // BM3D followed by the deconvolution beats the deconvolution's own
            // noise handling (see bench/NOTES.md), so the classic floor offers
            // no joint solver.
            return nil
        case .upsample(let factor, let blur, let noise):
            return BackProjectionUpsampler(factor: factor, blur: blur, noise: noise)
        case .denoiseProfile:
            // BM3D takes one σ: the planner falls back to the mid-grey σ.
            return nil
        case .upsampleDenoise, .blind, .generate:
            // Joint upsample-and-denoise, blind and generative restoration are learned models' work.
            return nil
        }
    }
}
