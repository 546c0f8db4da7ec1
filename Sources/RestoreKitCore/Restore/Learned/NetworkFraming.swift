/// How an image region becomes a network's input and its output becomes the
/// pixels of a restored region, with the border handling of the reference
/// tools (realesrgan-, waifu2x- and srmd-ncnn-vulkan).
///
/// The reference tools replicate `borderPadding` pixels around the whole image,
/// run the network, and crop the padding (times the scale) from the output. A
/// region is rendered the same way: its input window extends `halo` real pixels
/// past the region on sides inside the image, and exactly `borderPadding`
/// replicated pixels past image borders — so a whole-image region reproduces
/// the tool, and a region matches the whole image exactly when `halo` covers the
/// network's receptive field (SRMD, waifu2x) and closely otherwise (Real-ESRGAN).
/// Large regions are cut into chunks of at most `chunk` input pixels a side,
/// each with its own halo, which bounds memory.
struct NetworkFraming: Sendable {
    /// Output pixels per input pixel.
    let scale: Int
    /// Input pixels the network consumes at each side (unpadded convolutions).
    let trim: Int
    /// Replicated pixels at image borders (the tool's "prepadding").
    let borderPadding: Int
    /// Real context pixels past a region's sides inside the image (≥ borderPadding).
    let halo: Int
    /// Largest chunk side, in input pixels before the halo.
    let chunk: Int
    /// For networks that enlarge only at the end (RRDBNet): the layer type
    /// that starts the enlarging tail. The body runs over the whole chunk up
    /// to that layer's input; the tail then runs in pieces of `tailChunk`
    /// input pixels with `tailHalo` pixels of that feature map around them
    /// (enough to make the pieces exact), so the large enlarged feature maps
    /// of a whole chunk never exist at once.
    var tail: (layerType: String, chunk: Int, halo: Int)? = nil

    /// The input window (image coordinates; may reach `borderPadding` past the
    /// image) that renders `output` (scaled coordinates) of a `width` × `height` input.
    func window(for output: Rect, width: Int, height: Int) -> Rect {
        let x0 = floorDivide(output.x, scale), y0 = floorDivide(output.y, scale)
        let x1 = -floorDivide(-output.maxX, scale), y1 = -floorDivide(-output.maxY, scale)
        let left = max(x0 - halo, -borderPadding), top = max(y0 - halo, -borderPadding)
        let right = min(x1 + halo, width + borderPadding), bottom = min(y1 + halo, height + borderPadding)
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }

    /// The image pixels needed for `output`.
    func inputRect(for output: Rect, width: Int, height: Int) -> Rect {
        window(for: output, width: width, height: height).intersection(Rect(width: width, height: height))
    }

    /// Renders `output` (scaled coordinates) from `image`, the colour pixels of
    /// `imageRect` (which holds `inputRect(for: output, …)`) of a `width` ×
    /// `height` input. The network reads RGB in [0, 1] (gray is repeated)
    /// followed by `constants` (one channel per value) from blob `input` and
    /// writes RGB to blob `outputBlob`; the result is clamped to [0, 1] (gray:
    /// the mean of the three channels).
    func render(_ network: Network, input: String, output outputBlob: String, constants: [Float],
                from image: Image, at imageRect: Rect, producing output: Rect, width: Int, height: Int,
                context: RestorationContext) throws -> Image {
        var result = try Image(width: output.width, height: output.height, layout: image.layout.withAlpha(false),
                               encoding: image.encoding)
        let side = chunk * scale
        let chunks = Self.grid(output, side: side)
        for (n, part) in chunks.enumerated() {
            let window = self.window(for: part, width: width, height: height)
            let tensor = try Self.tensor(image, at: imageRect, window: window, width: width, height: height,
                                         constants: constants)
            let share = 1 / Double(chunks.count), start = Double(n) * share
            guard let tail, trim == 0, let split = network.firstInput(ofLayerType: tail.layerType) else {
                let rendered = try network.forward([input: tensor], output: outputBlob, threads: context.threads) { f in
                    try context.report(start + f * share)
                }
                try place(rendered, at: window, region: part, into: &result, output: output, source: network.source)
                continue
            }
            let features = try network.forward([input: tensor], output: split, threads: context.threads) { f in
                try context.report(start + 0.9 * f * share)
            }
            guard features.height == window.height, features.width == window.width else {
                throw RestoreError(.model, "\(network.source): blob '\(split)' is not at the input's size")
            }
            let pieces = Self.grid(part, side: tail.chunk * scale)
            for (k, piece) in pieces.enumerated() {
                // The piece's feature window, inside the chunk's window.
                let x0 = max(floorDivide(piece.x, scale) - tail.halo, window.x)
                let y0 = max(floorDivide(piece.y, scale) - tail.halo, window.y)
                let x1 = min(-floorDivide(-piece.maxX, scale) + tail.halo, window.maxX)
                let y1 = min(-floorDivide(-piece.maxY, scale) + tail.halo, window.maxY)
                let sub = Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
                let cropped = try Self.crop(features, Rect(x: x0 - window.x, y: y0 - window.y, width: sub.width,
                                                           height: sub.height))
                let rendered = try network.forward([split: cropped], output: outputBlob, threads: context.threads)
                try place(rendered, at: sub, region: piece, into: &result, output: output, source: network.source)
                try context.report(start + (0.9 + 0.1 * Double(k + 1) / Double(pieces.count)) * share)
            }
        }
        return result
    }

    /// Pastes the part of `rendered` (the network output for input `window`)
    /// inside `region` into `result`, after checking that it covers it.
    private func place(_ rendered: Tensor, at window: Rect, region: Rect, into result: inout Image, output: Rect,
                       source: String) throws {
        let origin = (x: (window.x + trim) * scale, y: (window.y + trim) * scale)
        guard rendered.channels == 3, origin.x <= region.x, origin.y <= region.y,
              origin.x + rendered.width >= region.maxX, origin.y + rendered.height >= region.maxY else {
            throw RestoreError(.model, "\(source): output \(rendered.shapeDescription) does not cover the region")
        }
        Self.paste(rendered, origin: origin, region: region, into: &result, at: output)
    }

    /// The pixels of `rect` of `tensor`.
    private static func crop(_ tensor: Tensor, _ rect: Rect) throws -> Tensor {
        let out = try Tensor(height: rect.height, width: rect.width, channels: tensor.channels)
        let row = rect.width * tensor.channels
        for y in 0 ..< rect.height {
            (out.pointer + y * row).update(from: tensor.pointer + ((rect.y + y) * tensor.width + rect.x) * tensor.channels,
                                           count: row)
        }
        return out
    }

    /// Tiles of at most `side` covering `rect`, in equal sizes.
    static func grid(_ rect: Rect, side: Int) -> [Rect] {
        let columns = (rect.width + side - 1) / side, rows = (rect.height + side - 1) / side
        return (0 ..< rows).flatMap { r in
            (0 ..< columns).map { c in
                let x0 = rect.x + rect.width * c / columns, x1 = rect.x + rect.width * (c + 1) / columns
                let y0 = rect.y + rect.height * r / rows, y1 = rect.y + rect.height * (r + 1) / rows
                return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
            }
        }
    }

    /// The network input for `window`: image pixels (coordinates clamped into
    /// the image, i.e. replicated past its borders) and constant channels.
    private static func tensor(_ image: Image, at imageRect: Rect, window: Rect, width: Int, height: Int,
                               constants: [Float]) throws -> Tensor {
        let colors = image.layout.colorChannelCount, channels = 3 + constants.count
        let tensor = try Tensor(height: window.height, width: window.width, channels: channels)
        image.samples.withUnsafeBufferPointer { samples in
            let plane = image.width * image.height
            for wy in 0 ..< window.height {
                let y = min(max(window.y + wy, 0), height - 1) - imageRect.y
                for wx in 0 ..< window.width {
                    let x = min(max(window.x + wx, 0), width - 1) - imageRect.x
                    let src = y * image.width + x, dst = tensor.pointer + (wy * window.width + wx) * channels
                    for c in 0 ..< 3 { dst[c] = samples[(colors == 1 ? 0 : c) * plane + src] }
                    for (k, value) in constants.enumerated() { dst[3 + k] = value }
                }
            }
        }
        return tensor
    }

    /// Copies the part of `rendered` (placed at `origin`) inside `region` into
    /// `result`, which holds `output`.
    private static func paste(_ rendered: Tensor, origin: (x: Int, y: Int), region: Rect, into result: inout Image,
                              at output: Rect) {
        let colors = result.layout.colorChannelCount, plane = result.width * result.height, width = result.width
        result.samples.withUnsafeMutableBufferPointer { dst in
            for y in region.y ..< region.maxY {
                for x in region.x ..< region.maxX {
                    let src = rendered.pointer + ((y - origin.y) * rendered.width + x - origin.x) * 3
                    let at = (y - output.y) * width + x - output.x
                    if colors == 1 {
                        dst[at] = min(max((src[0] + src[1] + src[2]) / 3, 0), 1)
                    } else {
                        for c in 0 ..< 3 { dst[c * plane + at] = min(max(src[c], 0), 1) }
                    }
                }
            }
        }
    }
}
