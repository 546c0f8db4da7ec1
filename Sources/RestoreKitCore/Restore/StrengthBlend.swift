/// Applies a fraction of a same-size restorer's correction:
/// output = input + strength × (restored − input).
struct StrengthBlend: Restorer {
    let base: any Restorer
    let strength: Float

    var name: String { base.name }

    var computation: Computation { base.computation }

    func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        base.outputSize(width: width, height: height)
    }

    func inputRect(for output: Rect, inputWidth: Int, inputHeight: Int) -> Rect {
        base.inputRect(for: output, inputWidth: inputWidth, inputHeight: inputHeight)
    }

    func restore(_ input: Image, at inputRect: Rect, producing output: Rect,
                 inputWidth: Int, inputHeight: Int, context: RestorationContext) throws -> Image {
        var restored = try base.restore(input, at: inputRect, producing: output,
                                        inputWidth: inputWidth, inputHeight: inputHeight, context: context)
        let original = input.cropped(to: output.offsetBy(dx: -inputRect.x, dy: -inputRect.y))
        let s = strength
        restored.samples.withUnsafeMutableBufferPointer { out in
            original.samples.withUnsafeBufferPointer { src in
                for i in 0 ..< out.count { out[i] = src[i] + s * (out[i] - src[i]) }
            }
        }
        return restored
    }
}
