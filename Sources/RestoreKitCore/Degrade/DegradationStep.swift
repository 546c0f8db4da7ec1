/// One operation of a degradation pipeline with every parameter, noise seeds
/// included, so that a list of steps replays to the same image bit for bit.
public enum DegradationStep: Equatable, Sendable {
    /// Convolution with the kernel of `shape` sampled on `size × size` (reflect-101 borders).
    case blur(BlurShape, size: Int)
    /// Resampling to `width × height` (see `Image.resized(width:height:filter:antialias:)`).
    case resize(width: Int, height: Int, filter: ResizeFilter, antialias: Bool)
    /// Additive Gaussian noise of standard deviation `sigma` (image units), clipped.
    case gaussianNoise(sigma: Double, gray: Bool, seed: UInt64)
    /// Real-ESRGAN's Poisson noise of strength `scale`, clipped.
    case poissonNoise(scale: Double, gray: Bool, seed: UInt64)
    /// JPEG compression at IJG `quality`, 4:2:0.
    case jpeg(quality: Int)
    /// Colour samples clamped to [0, 1] and rounded to 8 bits, as Real-ESRGAN
    /// ends its synthesis.
    case quantize
    /// A camera's processing undone and redone with raw noise (`CameraPipeline.render`).
    case camera(CameraPipeline.Parameters, noiseSeed: UInt64)

    /// `image` with this step applied; alpha is blurred and resized with the
    /// colour but gets no noise, compression or rounding.
    public func apply(to image: Image) throws -> Image {
        switch self {
        case .blur(let shape, let size):
            return image.convolved(with: try BlurKernel(shape, size: size))
        case .resize(let width, let height, let filter, let antialias):
            return try image.resized(width: width, height: height, filter: filter, antialias: antialias)
        case .gaussianNoise(let sigma, let gray, let seed):
            return try image.addingGaussianNoise(sigma: sigma, gray: gray, seed: seed)
        case .poissonNoise(let scale, let gray, let seed):
            return try image.addingPoissonNoise(scale: scale, gray: gray, seed: seed)
        case .jpeg(let quality):
            return try image.jpegRoundTrip(quality: quality)
        case .quantize:
            var out = image
            let colorSamples = image.layout.colorChannelCount * image.planeCount
            for i in 0 ..< colorSamples {
                out.samples[i] = min(max((image.samples[i] * 255).rounded(.toNearestOrEven), 0), 255) / 255
            }
            return out
        case .camera(let parameters, let noiseSeed):
            return try CameraPipeline.render(image, parameters, noiseSeed: noiseSeed)
        }
    }

    /// `image` with `steps` applied in order.
    public static func apply(_ steps: [DegradationStep], to image: Image) throws -> Image {
        try steps.reduce(image) { try $1.apply(to: $0) }
    }
}
