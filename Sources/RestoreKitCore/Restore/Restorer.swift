/// How a restorer computes, which decides how the executor tiles it.
public enum Computation: Sendable, Equatable {
    /// Region by region: an output region needs only the input region
    /// `inputRect(for:…)` names (a halo around it, mapped through any scaling).
    case local
    /// One pass over the whole input (a global analysis, a diffusion pass):
    /// the executor runs it once per input and request and crops its output
    /// for every region.
    case wholeImage
}

/// One stage of a restoration: turns (a region of) its input image into (a
/// region of) its output image.
///
/// Local restorers work region by region so that any image size fits in
/// bounded memory and hosts that render in chunks (GEGL, GIMP) get exactly
/// the pixels they ask for. The executor asks `inputRect(for:…)` which input
/// a region needs, crops it, and calls `restore(_:at:producing:…)`.
/// Whole-image restorers (`WholeImageRestorer`) see the whole input once.
/// Images handed to a restorer hold colour channels only (gray or RGB, no
/// alpha), sRGB-encoded.
public protocol Restorer: Sendable {
    /// A short name for reports, e.g. "BM3D".
    var name: String { get }

    /// Region by region, or one pass over the whole image.
    var computation: Computation { get }

    /// The output size for an input of `width` × `height`.
    func outputSize(width: Int, height: Int) -> (width: Int, height: Int)

    /// The input region (clipped to the `inputWidth` × `inputHeight` image)
    /// needed to produce the output region `output`.
    func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect

    /// Produces the output pixels of `output` from `input`, the pixels of the
    /// input region `inputRect` (as `inputRect(for:…)` returned it), in an image
    /// of `inputWidth` × `inputHeight`.
    func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                 inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image
}

extension Restorer {
    public var computation: Computation { .local }
}

/// A restorer that keeps the image size and needs `halo` pixels of context
/// around what it restores: implement `restore(tile:origin:context:)` only.
public protocol LocalRestorer: Restorer {
    /// Input pixels of context needed on each side of a restored region.
    var halo: Int { get }
    /// Tiles must start at multiples of this in image coordinates (8 or 16 for
    /// JPEG's block grid); 1 when anywhere will do.
    var alignment: Int { get }

    /// Restores all of `tile`, whose top-left pixel sits at `origin` in the
    /// full image; returns an image of the same size and layout. Pixels within
    /// `halo` of a tile side that is not an image border may be inaccurate.
    func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image
}

extension LocalRestorer {
    public var alignment: Int { 1 }

    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width, height)
    }

    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        output.expanded(by: halo).alignedOrigin(to: alignment)
            .intersection(Rect(width: inputWidth, height: inputHeight))
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        let restored = try restore(tile: input, origin: (inputRect.x, inputRect.y), context: context)
        return restored.cropped(to: output.offsetBy(dx: -inputRect.x, dy: -inputRect.y))
    }
}

/// A restorer that computes over the whole image at once: implement
/// `restore(image:context:)` only. Its output is computed once per input and
/// request (`RestorationExecutor`), however many regions a host renders.
public protocol WholeImageRestorer: Restorer {
    /// Restores all of `image`.
    func restore(image: Image, context: RestorationContext) throws -> Image
}

extension WholeImageRestorer {
    public var computation: Computation { .wholeImage }

    /// All of the input, whatever the region.
    public func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        Rect(width: inputWidth, height: inputHeight)
    }

    public func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                        inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        try restore(image: input, context: context).cropped(to: output)
    }
}
