@testable import RestoreKitCore

/// A box mean of radius `radius` (edge samples repeated): a LocalRestorer whose
/// exact dependence on its neighbourhood makes tiling errors visible.
struct BoxMean: LocalRestorer {
    let radius: Int
    var name: String { "box" }
    var halo: Int { radius }

    func restore(tile: Image, origin: (x: Int, y: Int), context: RestorationContext) throws -> Image {
        var out = tile
        for c in 0 ..< tile.layout.channelCount {
            for y in 0 ..< tile.height {
                try context.report(Double(y) / Double(tile.height))
                for x in 0 ..< tile.width {
                    var sum: Float = 0
                    for dy in -radius ... radius {
                        for dx in -radius ... radius {
                            sum += tile[min(max(x + dx, 0), tile.width - 1), min(max(y + dy, 0), tile.height - 1), c]
                        }
                    }
                    out[x, y, c] = sum / Float((2 * radius + 1) * (2 * radius + 1))
                }
            }
        }
        return out
    }
}

/// Nearest-neighbour enlargement by an integer factor, region by region.
struct NearestUpsample: Restorer {
    let factor: Int
    var name: String { "nearest" }

    func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * factor, height * factor)
    }

    func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        let x0 = output.x / factor, y0 = output.y / factor
        let x1 = (output.maxX + factor - 1) / factor, y1 = (output.maxY + factor - 1) / factor
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                 inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        var out = try Image(width: output.width, height: output.height, layout: input.layout)
        for c in 0 ..< input.layout.channelCount {
            for y in 0 ..< output.height {
                for x in 0 ..< output.width {
                    out[x, y, c] = input[(output.x + x) / factor - inputRect.x, (output.y + y) / factor - inputRect.y, c]
                }
            }
        }
        return out
    }
}

/// A backend that records what it was asked and answers with test restorers.
final class RecordingBackend: RestorationBackend, @unchecked Sendable {
    let name: String
    let joint: Bool
    private(set) var asked: [RestorationTask] = []

    init(name: String = "test", joint: Bool) {
        self.name = name
        self.joint = joint
    }

    func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
        asked.append(task)
        switch task {
        case .upsample(let factor, let blur, _):
            if blur > 0 && !joint { return nil }
            return NearestUpsample(factor: Int(factor))
        case .deblurDenoise:
            return joint ? BoxMean(radius: 1) : nil
        case .deblur:
            return BoxMean(radius: 1)
        case .dejpeg, .denoise:
            return BoxMean(radius: 2)
        case .denoiseProfile:
            return joint ? BoxMean(radius: 3) : nil
        case .upsampleDenoise, .blind, .generate:
            return nil
        }
    }
}

/// A backend with only the learned models' tasks: joint upsample-and-denoise
/// at factors 2–4 and blind restoration at any scale.
struct LearnedStandInBackend: RestorationBackend {
    var name: String { "learned" }

    func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
        switch task {
        case .upsampleDenoise(let factor, 0, _) where (2 ... 4).contains(factor):
            return NearestUpsample(factor: Int(factor))
        case .blind(let scale) where scale == 1:
            return BoxMean(radius: 1)
        case .blind(let scale) where scale.rounded() == scale:
            return NearestUpsample(factor: Int(scale))
        default:
            return nil
        }
    }
}

extension RestorationRequest {
    /// The default request changed by `change`.
    static func with(_ change: (inout RestorationRequest) -> Void) -> RestorationRequest {
        var request = RestorationRequest()
        change(&request)
        return request
    }
}

/// A smooth RGB test image with a little structure.
func testImage(width: Int, height: Int, layout: PixelLayout = .rgb) -> Image {
    var image = try! Image(width: width, height: height, layout: layout)
    for c in 0 ..< layout.channelCount {
        for y in 0 ..< height {
            for x in 0 ..< width {
                let v = 0.5 + 0.4 * Float(((x * 7 + y * 13 + c * 5) % 17)) / 17 - 0.2 * Float(y) / Float(height)
                image[x, y, c] = v
            }
        }
    }
    return image
}
