/// Carries out plans: renders whole images tile by tile and single regions
/// for hosts that render in chunks, with progress and cancel.
///
/// The promise: rendering any grid of regions gives the same pixels as a
/// whole render. Local stages keep it by receiving the input their region
/// needs (`RestorationPlan.inputRect`). A whole-image stage (`Computation
/// .wholeImage`) runs, with every stage before it, once per input and request:
/// its output is kept, keyed by the request, the plan and a hash of the whole
/// input, and the regions that follow crop it. One output is kept at a time
/// (4 bytes per sample: 12 MB per RGB megapixel); a new input or request
/// replaces it.
public final class RestorationExecutor: @unchecked Sendable {
    private let lock = Lock()
    private var kept: (key: WholeImageKey, image: Image)?

    public init() {}

    /// Restores all of `image` in output tiles of `tileSize` pixels (nil: the
    /// request's, 0 there choosing from free memory), reporting a milestone
    /// after every tile.
    public func run(_ plan: RestorationPlan, on image: Image, tileSize: Int? = nil,
                    context: RestorationContext) throws -> Image {
        let (ow, oh) = plan.outputSize(width: image.width, height: image.height)
        let side = tileSize ?? Self.tileSide(plan.request.tileSize, channels: image.layout.channelCount)
        var result = try Image(width: ow, height: oh, layout: image.layout, encoding: image.encoding)
        let tiles = Self.grid(width: ow, height: oh, side: side)
        let whole = Rect(width: image.width, height: image.height)
        var tileContext = context
        if let k = plan.lastWholeImageStage {
            // The whole-image part first, in its share of the progress; the tiles then crop it.
            let share = Double(k + 1) / Double(plan.stages.count)
            _ = try wholeImageOutput(plan, through: k, of: image.colorOnly, context: context.scoped(0, share))
            tileContext = context.scoped(share, 1)
        }
        for (n, tile) in tiles.enumerated() {
            let scope = tileContext.scoped(Double(n) / Double(tiles.count), Double(n + 1) / Double(tiles.count))
            let needed = plan.inputRect(for: tile, width: image.width, height: image.height)
            let source = needed == whole ? image : image.cropped(to: needed)
            let pixels = try render(plan, tile, from: source, at: needed, width: image.width,
                                    height: image.height, context: scope)
            result.paste(pixels, x: tile.x, y: tile.y)
            try scope.milestone(1)
        }
        return result
    }

    /// Renders the output region `output` from `source`, which holds the source
    /// pixels of `sourceRect` (at least `plan.inputRect(for: output, …)`) of a
    /// `width` × `height` image. Alpha is carried through: copied, or resampled
    /// with the image when the plan changes the size. A gray picture stored as
    /// RGB (identical colour planes) is restored as gray.
    public func render(_ plan: RestorationPlan, _ output: Rect, from source: Image, at sourceRect: Rect,
                       width: Int, height: Int, context: RestorationContext) throws -> Image {
        let sizes = plan.stageSizes(width: width, height: height)
        let regions = plan.regionChain(for: output, sizes: sizes)
        precondition(sourceRect.contains(regions[0]), "render: source \(sourceRect) lacks \(regions[0])")
        let input = source.colorOnly.cropped(to: regions[0].offsetBy(dx: -sourceRect.x, dy: -sourceRect.y))
        let image: Image
        if let k = plan.lastWholeImageStage {
            let share = Double(k + 1) / Double(plan.stages.count)
            let kept = try wholeImageOutput(plan, through: k, of: input, context: context.scoped(0, share))
            image = try renderStages(Array(plan.stages[(k + 1)...]), regions: Array(regions[(k + 1)...]),
                                     sizes: Array(sizes[(k + 1)...]), from: kept.cropped(to: regions[k + 1]),
                                     context: context.scoped(share, 1))
        } else {
            image = try renderStages(plan.stages, regions: regions, sizes: sizes, from: input, context: context)
        }
        guard let alpha = source.alpha else { return image }
        let alphaImage = try Image(width: sourceRect.width, height: sourceRect.height, layout: .gray,
                                   samples: Array(alpha))
        return image.withAlpha(try Self.resampleAlpha(alphaImage, at: sourceRect, to: output,
                                                      sizes: (sizes.first!, sizes.last!)).samples)
    }

    /// Runs `stages` on `image`, the colour pixels of `regions[0]`: stage i
    /// turns `regions[i]` of a `sizes[i]` image into `regions[i + 1]`. Reports
    /// each stage's share under its label.
    private func renderStages(_ stages: [PlannedStage], regions: [Rect], sizes: [(width: Int, height: Int)],
                              from image: Image, context: RestorationContext) throws -> Image {
        var image = image
        let neutral = image.isNeutralRGB
        if neutral { image = image.firstPlaneAsGray }
        let count = Double(stages.count)
        for (i, stage) in stages.enumerated() {
            let scope = context.scoped(Double(i) / count, Double(i + 1) / count, stage: stage.label)
            image = try stage.restorer.restore(image, at: regions[i], producing: regions[i + 1],
                                               inputWidth: sizes[i].width, inputHeight: sizes[i].height,
                                               context: scope)
            try scope.milestone(1)
        }
        return neutral ? image.replicatedToRGB : image
    }

    /// The output of stage `k`, a whole-image stage, for `input` (the whole
    /// source, colour only): kept from an earlier call with the same request,
    /// plan and input, else computed (the stages before it tile by tile) and kept.
    private func wholeImageOutput(_ plan: RestorationPlan, through k: Int, of input: Image,
                                  context: RestorationContext) throws -> Image {
        let key = WholeImageKey(request: plan.request, prompt: plan.prompt.description,
                                stages: plan.stages[...k].map(\.label), layout: input.layout,
                                width: input.width, height: input.height, content: input.contentHash)
        if let kept = lock.withLock({ self.kept }), kept.key == key { return kept.image }
        let head = RestorationPlan(stages: Array(plan.stages[..<k]), prompt: plan.prompt, request: plan.request)
        let share = Double(k) / Double(k + 1)
        let before = k == 0 ? input : try run(head, on: input, context: context.scoped(0, share))
        let sizes = [(width: before.width, height: before.height),
                     plan.stages[k].restorer.outputSize(width: before.width, height: before.height)]
        let image = try renderStages([plan.stages[k]], regions: sizes.map { Rect(width: $0.width, height: $0.height) },
                                     sizes: sizes, from: before, context: context.scoped(share, 1))
        lock.withLock { self.kept = (key, image) }
        return image
    }

    /// The tile side for a request's `tileSize`: 0 picks one from free
    /// memory, sides below 64 use 64.
    static func tileSide(_ tileSize: Int, channels: Int) -> Int {
        tileSize > 0 ? max(tileSize, 64) : TileSize.automatic(channels: channels)
    }

    /// Output tiles of `side` pixels covering a `width` × `height` image, row by row.
    static func grid(width: Int, height: Int, side: Int) -> [Rect] {
        stride(from: 0, to: height, by: side).flatMap { y in
            stride(from: 0, to: width, by: side).map { x in
                Rect(x: x, y: y, width: min(side, width - x), height: min(side, height - y))
            }
        }
    }

    /// The alpha of output region `output`: the source alpha itself when the size
    /// is unchanged, else resampled (bilinear, pixel centres aligned).
    private static func resampleAlpha(_ alpha: Image, at sourceRect: Rect, to output: Rect,
                                      sizes: ((width: Int, height: Int), (width: Int, height: Int))) throws -> Image {
        let (input, result) = sizes
        if input == result { return alpha.cropped(to: output.offsetBy(dx: -sourceRect.x, dy: -sourceRect.y)) }
        let sx = Double(input.width) / Double(result.width), sy = Double(input.height) / Double(result.height)
        var out = try Image(width: output.width, height: output.height, layout: .gray)
        for row in 0 ..< output.height {
            let fy = min(max((Double(output.y + row) + 0.5) * sy - 0.5, 0), Double(input.height - 1))
            let y0 = Int(fy), y1 = min(y0 + 1, input.height - 1), wy = Float(fy - Double(y0))
            for col in 0 ..< output.width {
                let fx = min(max((Double(output.x + col) + 0.5) * sx - 0.5, 0), Double(input.width - 1))
                let x0 = Int(fx), x1 = min(x0 + 1, input.width - 1), wx = Float(fx - Double(x0))
                func a(_ x: Int, _ y: Int) -> Float {
                    alpha[min(max(x - sourceRect.x, 0), sourceRect.width - 1),
                          min(max(y - sourceRect.y, 0), sourceRect.height - 1), 0]
                }
                let top = a(x0, y0) + wx * (a(x1, y0) - a(x0, y0))
                let bottom = a(x0, y1) + wx * (a(x1, y1) - a(x0, y1))
                out[col, row, 0] = top + wy * (bottom - top)
            }
        }
        return out
    }
}

/// What identifies the output of a whole-image stage: the request, the plan
/// up to that stage and the input (its layout, size and a hash of its samples).
private struct WholeImageKey: Hashable {
    let request: RestorationRequest
    let prompt: String
    let stages: [String]
    let layout: PixelLayout
    let width: Int
    let height: Int
    let content: UInt64
}
