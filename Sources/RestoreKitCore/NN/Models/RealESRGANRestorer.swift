/// Blind restoration with Real-ESRGAN x4plus (RRDBNet): removes blur, noise
/// and compression together while enlarging ×4; other factors resample its
/// ×4 output with Lanczos-3 (antialiased when shrinking), as Real-ESRGAN's
/// `--outscale` does, so factor 1 restores at the original size.
///
/// Pre- and post-processing are realesrgan-ncnn-vulkan's: RGB in [0, 1], 10
/// replicated pixels at the image borders, the ×4 output clamped. The
/// network's receptive field spans hundreds of pixels and its output depends
/// on far context: on the sample photo, tiles with 16 pixels of context differ
/// from the whole image by up to 20/255, with 64 by 4.7/255, with 96 by
/// 0.1/255. Regions get 96 pixels of context, which keeps tiles within 2/255.
public struct RealESRGANRestorer: Restorer {
    /// The overall enlargement (0 < scale ≤ 8).
    public let scale: Double
    private let network: Network

    /// The network's own enlargement.
    static let networkScale = 4
    /// The body (23 RRDB blocks at the input size) runs on chunks of up to
    /// 512 + 2 × 96 input pixels (about 1.2 GiB of features); the ×4 tail from
    /// the first `Interp` on, in pieces of 128 with 2 pixels of context — exact,
    /// since its four 3×3 convolutions reach 1.25 input pixels.
    static let framing = NetworkFraming(scale: networkScale, trim: 0, borderPadding: 10, halo: 96, chunk: 512,
                                        tail: ("Interp", 128, 2))
    static let resampling = ResizeFilter.lanczos

    init(scale: Double, models: ModelDirectory) throws {
        self.scale = scale
        network = try models.network(ModelCatalog.realESRGAN.networks[0], of: ModelCatalog.realESRGAN)
    }

    public var name: String { "Real-ESRGAN x4plus" }

    private var isNative: Bool { scale == Double(Self.networkScale) }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        isNative ? (width * Self.networkScale, height * Self.networkScale)
                 : (RestorationPrompt.scaled(width, scale), RestorationPrompt.scaled(height, scale))
    }

    /// The ×4 pixels the resampling of `output` reads.
    private func networkRect(for output: Rect, width: Int, height: Int) -> (Rect, taps: (x: Resampling.Taps, y: Resampling.Taps)?) {
        guard !isNative else { return (output, nil) }
        let (ow, oh) = outputSize(width: width, height: height)
        let tx = Resampling.taps(inSize: width * Self.networkScale, outSize: ow, filter: Self.resampling, antialias: true)
        let ty = Resampling.taps(inSize: height * Self.networkScale, outSize: oh, filter: Self.resampling, antialias: true)
        func span(_ taps: Resampling.Taps, _ range: Range<Int>) -> Range<Int> {
            let lower = range.map { taps.starts[$0] }.min()!
            let upper = range.map { taps.starts[$0] + max(taps.counts[$0], 1) }.max()!
            return lower ..< upper
        }
        let xs = span(tx, output.x ..< output.maxX), ys = span(ty, output.y ..< output.maxY)
        return (Rect(x: xs.lowerBound, y: ys.lowerBound, width: xs.count, height: ys.count), (tx, ty))
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        let (rect, _) = networkRect(for: output, width: inputWidth, height: inputHeight)
        return Self.framing.inputRect(for: rect, width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let (rect, taps) = networkRect(for: output, width: inputWidth, height: inputHeight)
        let restored = try Self.framing.render(network, input: "data", output: "output", constants: [],
                                               from: input, at: inputRect, producing: rect,
                                               width: inputWidth, height: inputHeight, context: context)
        guard let taps else { return restored }
        return try Self.resample(restored, at: rect, to: output, taps: taps)
    }

    /// Separable resampling of `image` (the ×4 pixels of `rect`) to the output
    /// pixels of `output`, rows first, clamped to [0, 1].
    static func resample(_ image: Image, at rect: Rect, to output: Rect,
                         taps: (x: Resampling.Taps, y: Resampling.Taps)) throws -> Image {
        let planes = image.layout.channelCount
        var result = try Image(width: output.width, height: output.height, layout: image.layout, encoding: image.encoding)
        var rows = [Float](repeating: 0, count: image.height * output.width)
        for c in 0 ..< planes {
            let plane = image.plane(c)
            let base = plane.startIndex
            for y in 0 ..< image.height {
                for x in 0 ..< output.width {
                    let i = output.x + x, first = taps.x.starts[i] - rect.x
                    var sum: Float = 0
                    for t in 0 ..< taps.x.counts[i] {
                        sum += taps.x.weights[i * taps.x.stride + t] * plane[base + y * image.width + first + t]
                    }
                    rows[y * output.width + x] = sum
                }
            }
            var out = [Float](repeating: 0, count: output.width * output.height)
            for y in 0 ..< output.height {
                let j = output.y + y, first = taps.y.starts[j] - rect.y
                for t in 0 ..< taps.y.counts[j] {
                    let w = taps.y.weights[j * taps.y.stride + t], row = (first + t) * output.width
                    for x in 0 ..< output.width { out[y * output.width + x] += w * rows[row + x] }
                }
            }
            result.setPlane(c, out.map { min(max($0, 0), 1) })
        }
        return result
    }
}
