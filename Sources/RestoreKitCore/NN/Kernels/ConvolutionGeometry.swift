/// The shape parameters of an ncnn convolution or deconvolution: kernel,
/// dilation, stride and padding (keys 1/11, 2/12, 3/13, 4/15/14/16, 18).
struct ConvolutionGeometry: Sendable, Equatable {
    let kernelW, kernelH: Int
    let dilationW, dilationH: Int
    let strideW, strideH: Int
    /// Padding left, right, top, bottom; −233 / −234 mean ONNX SAME_UPPER / SAME_LOWER.
    let padLeft, padRight, padTop, padBottom: Int
    /// The value of padded pixels (key 18; convolution only).
    let padValue: Float

    init(params: ParamDict) throws {
        kernelW = params.int(1, 0)
        kernelH = params.int(11, kernelW)
        dilationW = params.int(2, 1)
        dilationH = params.int(12, dilationW)
        strideW = params.int(3, 1)
        strideH = params.int(13, strideW)
        padLeft = params.int(4, 0)
        padRight = params.int(15, padLeft)
        padTop = params.int(14, padLeft)
        padBottom = params.int(16, padTop)
        padValue = params.float(18, 0)
        let positive = [kernelW, kernelH, dilationW, dilationH, strideW, strideH]
        guard positive.allSatisfy({ (1 ... 4096).contains($0) }) else {
            throw RestoreError(.model, "kernel \(kernelW)×\(kernelH), dilation \(dilationW)×\(dilationH) and stride \(strideW)×\(strideH) must be 1–4096")
        }
        let pads = [padLeft, padRight, padTop, padBottom]
        guard pads.allSatisfy({ (0 ... 4096).contains($0) }) || pads.allSatisfy({ $0 == -233 }) || pads.allSatisfy({ $0 == -234 }) else {
            throw RestoreError(.model, "padding \(pads) must be 0–4096, or all −233 / −234 (SAME)")
        }
    }

    /// A square `kernel` at stride and dilation 1 with `padding` zeros on every side.
    init(kernel: Int, padding: Int) {
        kernelW = kernel
        kernelH = kernel
        dilationW = 1
        dilationH = 1
        strideW = 1
        strideH = 1
        padLeft = padding
        padRight = padding
        padTop = padding
        padBottom = padding
        padValue = 0
    }

    /// A square `kernel` at `stride`, dilation 1, with zero padding (top, bottom,
    /// left, right).
    init(kernel: Int, stride: Int, padding: (top: Int, bottom: Int, left: Int, right: Int)) {
        kernelW = kernel
        kernelH = kernel
        dilationW = 1
        dilationH = 1
        strideW = stride
        strideH = stride
        padLeft = padding.left
        padRight = padding.right
        padTop = padding.top
        padBottom = padding.bottom
        padValue = 0
    }

    /// 3×3 at stride and dilation 1: what Winograd's F(m×m, 3×3) computes.
    var isWinogradShape: Bool {
        kernelW == 3 && kernelH == 3 && strideW == 1 && strideH == 1 && dilationW == 1 && dilationH == 1
    }

    var kernelExtentW: Int { dilationW * (kernelW - 1) + 1 }
    var kernelExtentH: Int { dilationH * (kernelH - 1) + 1 }
    var taps: Int { kernelW * kernelH }

    /// The padding (top, bottom, left, right) a convolution applies to a
    /// `height` × `width` input (ncnn's `make_padding`).
    func convolutionPadding(height: Int, width: Int) -> (top: Int, bottom: Int, left: Int, right: Int) {
        guard padLeft < 0 else { return (padTop, padBottom, padLeft, padRight) }
        let wpad = max(0, kernelExtentW + (width - 1) / strideW * strideW - width)
        let hpad = max(0, kernelExtentH + (height - 1) / strideH * strideH - height)
        return padLeft == -233 ? (hpad / 2, hpad - hpad / 2, wpad / 2, wpad - wpad / 2)
                               : (hpad - hpad / 2, hpad / 2, wpad - wpad / 2, wpad / 2)
    }

    /// The output size of a convolution over a `height` × `width` input, or nil
    /// when the kernel does not fit.
    func convolutionOutput(height: Int, width: Int) -> (height: Int, width: Int, pad: (top: Int, bottom: Int, left: Int, right: Int))? {
        let pad = convolutionPadding(height: height, width: width)
        let h = (height + pad.top + pad.bottom - kernelExtentH) / strideH + 1
        let w = (width + pad.left + pad.right - kernelExtentW) / strideW + 1
        guard height + pad.top + pad.bottom >= kernelExtentH, width + pad.left + pad.right >= kernelExtentW else { return nil }
        return (h, w, pad)
    }
}
