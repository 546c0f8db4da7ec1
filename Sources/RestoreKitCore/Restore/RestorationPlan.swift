/// One stage of a plan: the task, the restorer chosen for it, and its backend.
public struct PlannedStage: Sendable {
    public let task: RestorationTask
    public let restorer: any Restorer
    public let backend: String

    /// "denoise (BM3D, classic)"-style label for progress and reports.
    public var label: String { "\(task.verb) (\(restorer.name), \(backend))" }
}

/// An ordered chain of restorers that turns an image into its restoration,
/// region by region.
///
/// Geometry flows backwards (`inputRect(for:)`: which source pixels an output
/// region needs, through every stage's halo and scale) and pixels forwards
/// (`render`). Whole images are rendered tile by tile, so memory stays bounded
/// and a region rendered alone equals the same region of a whole render.
public struct RestorationPlan: Sendable {
    /// The stages, in the order they run.
    public let stages: [PlannedStage]
    /// The restoration prompt the plan carries out, in canonical form, with
    /// every estimate filled in.
    public let prompt: RestorationPrompt
    /// The analysis that filled in the prompt's estimates; nil when the
    /// prompt stated every strength.
    public let analysis: DegradationAnalysis?

    public init(stages: [PlannedStage], prompt: RestorationPrompt, analysis: DegradationAnalysis? = nil) {
        self.stages = stages
        self.prompt = prompt
        self.analysis = analysis
    }

    /// The output size for a `width` × `height` input.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        stageSizes(width: width, height: height).last!
    }

    /// The source region needed to render the output region `output` of a
    /// `width` × `height` source.
    public func inputRect(for output: Rect, width: Int, height: Int) -> Rect {
        regionChain(for: output, sizes: stageSizes(width: width, height: height)).first!
    }

    /// Renders the output region `output` from `source`, which holds the source
    /// pixels of `sourceRect` (at least `inputRect(for: output, …)`) of a
    /// `width` × `height` image. Alpha is carried through: copied, or resampled
    /// with the image when the plan changes the size. A gray picture stored as
    /// RGB (identical colour planes) is restored as gray.
    public func render(_ output: Rect, from source: Image, at sourceRect: Rect,
                       width: Int, height: Int, context: RestorationContext) throws -> Image {
        let sizes = stageSizes(width: width, height: height)
        let regions = regionChain(for: output, sizes: sizes)
        precondition(sourceRect.contains(regions[0]), "render: source \(sourceRect) lacks \(regions[0])")
        var image = source.colorOnly.cropped(to: regions[0].offsetBy(dx: -sourceRect.x, dy: -sourceRect.y))
        let neutral = image.isNeutralRGB
        if neutral { image = image.firstPlaneAsGray }
        for (i, stage) in stages.enumerated() {
            let scope = context.scoped(Double(i) / Double(stages.count), Double(i + 1) / Double(stages.count),
                                       stage: stage.label)
            image = try stage.restorer.restore(image, at: regions[i], producing: regions[i + 1],
                                               inputWidth: sizes[i].width, inputHeight: sizes[i].height,
                                               context: scope)
            try scope.milestone(1)
        }
        if neutral { image = image.replicatedToRGB }
        guard let alpha = source.alpha else { return image }
        let alphaImage = try Image(width: sourceRect.width, height: sourceRect.height, layout: .gray,
                                   samples: Array(alpha))
        return image.withAlpha(try resampleAlpha(alphaImage, at: sourceRect, to: output,
                                                 sizes: (sizes.first!, sizes.last!)).samples)
    }

    /// Restores a whole image in output tiles of `tileSize` (0: chosen from free
    /// memory), reporting a milestone after every tile.
    public func run(on image: Image, tileSize: Int = 0, context: RestorationContext) throws -> Image {
        let (ow, oh) = outputSize(width: image.width, height: image.height)
        let side = tileSize > 0 ? tileSize : TileSize.automatic(channels: image.layout.channelCount)
        var result = try Image(width: ow, height: oh, layout: image.layout, encoding: image.encoding)
        let tiles = Self.grid(width: ow, height: oh, side: side)
        let whole = Rect(width: image.width, height: image.height)
        for (n, tile) in tiles.enumerated() {
            let scope = context.scoped(Double(n) / Double(tiles.count), Double(n + 1) / Double(tiles.count))
            let needed = inputRect(for: tile, width: image.width, height: image.height)
            let source = needed == whole ? image : image.cropped(to: needed)
            let pixels = try render(tile, from: source, at: needed, width: image.width,
                                    height: image.height, context: scope)
            result.paste(pixels, x: tile.x, y: tile.y)
            try scope.milestone(1)
        }
        return result
    }

    /// Output tiles of `side` pixels covering a `width` × `height` image, row by row.
    static func grid(width: Int, height: Int, side: Int) -> [Rect] {
        stride(from: 0, to: height, by: side).flatMap { y in
            stride(from: 0, to: width, by: side).map { x in
                Rect(x: x, y: y, width: min(side, width - x), height: min(side, height - y))
            }
        }
    }

    /// The image size before each stage and after the last.
    private func stageSizes(width: Int, height: Int) -> [(width: Int, height: Int)] {
        var sizes = [(width: width, height: height)]
        for stage in stages {
            sizes.append(stage.restorer.outputSize(width: sizes.last!.width, height: sizes.last!.height))
        }
        return sizes
    }

    /// The region each stage must receive so the last one produces `output`;
    /// element i is stage i's input region, the last element is `output`.
    private func regionChain(for output: Rect, sizes: [(width: Int, height: Int)]) -> [Rect] {
        var regions = [output]
        for (i, stage) in stages.enumerated().reversed() {
            regions.insert(stage.restorer.inputRect(for: regions[0], inputWidth: sizes[i].width,
                                                    inputHeight: sizes[i].height), at: 0)
        }
        return regions
    }

    /// The alpha of output region `output`: the source alpha itself when the size
    /// is unchanged, else resampled (bilinear, pixel centres aligned).
    private func resampleAlpha(_ alpha: Image, at sourceRect: Rect, to output: Rect,
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

extension RestorationTask {
    /// The prompt verb this task carries out: "dejpeg", "denoise", "deblur",
    /// "upsample", "remove all degradation".
    public var verb: String {
        switch self {
        case .dejpeg: return "dejpeg"
        case .denoise: return "denoise"
        case .deblur, .deblurDenoise: return "deblur"
        case .upsample, .upsampleDenoise: return "upsample"
        case .blind: return "remove all degradation"
        }
    }
}
