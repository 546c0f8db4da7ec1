import Testing
@testable import RestoreKitCore

/// The operators back-projection iterates with must be exactly the ones the
/// degradation pipeline and the resizer apply, or the result would be
/// consistent with the wrong model.
@Suite struct UpsampleModelTests {
    typealias T = UpsampleTestImages

    /// `taps` (horizontal, vertical) applied to all of `image`'s first channel.
    func apply(_ horizontal: AxisTaps, _ vertical: AxisTaps, to image: Image) throws -> WindowPlane {
        let context = RestorationContext(threads: 2)
        let plane = WindowPlane(channel: 0, of: image, origin: (0, 0))
        let wide = try horizontal.alongRows(plane, outputs: 0 ..< horizontal.outputSize, context: context,
                                            from: 0, to: 1)
        var out = WindowPlane(zeros: Rect(width: horizontal.outputSize, height: vertical.outputSize))
        try vertical.downColumns(wide, into: &out, scale: 1, accumulate: false, context: context, from: 0, to: 1)
        return out
    }

    @Test(arguments: [(2.0, 0.0), (2.5, 1.3), (3.0, 3.0), (1.2, 0.4)])
    func degradationIsBlurThenBicubicDownscale(factor: Double, blur: Double) throws {
        let truth = T.truth(width: 60, height: 45, gray: true)
        let w = Image.scaledSide(truth.width, 1 / factor), h = Image.scaledSide(truth.height, 1 / factor)
        let horizontal = try UpsampleAxis(lowSize: w, highSize: truth.width, blur: blur)
        let vertical = try UpsampleAxis(lowSize: h, highSize: truth.height, blur: blur)
        let ours = try apply(horizontal.degrade, vertical.degrade, to: truth)
        var expected = truth
        if blur > 0 { expected = expected.convolved(with: try BlurKernel(.gaussian(sigma: blur))) }
        expected = try expected.resized(width: w, height: h, filter: .bicubic)
        let difference = zip(ours.values, expected.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(difference < 1e-5, "×\(factor) blur \(blur): \(difference)")
    }

    @Test(arguments: [2.0, 2.5, 7.3])
    func interpolationIsLanczos3(factor: Double) throws {
        let low = T.degraded(T.truth(width: 60, height: 45, gray: true), factor: 3)
        let w = RestorationPrompt.scaled(low.width, factor), h = RestorationPrompt.scaled(low.height, factor)
        let horizontal = try UpsampleAxis(lowSize: low.width, highSize: w, blur: 0)
        let vertical = try UpsampleAxis(lowSize: low.height, highSize: h, blur: 0)
        let ours = try apply(horizontal.interpolate, vertical.interpolate, to: low)
        let expected = try low.resized(width: w, height: h, filter: .lanczos)
        let difference = zip(ours.values, expected.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(difference < 1e-5, "×\(factor): \(difference)")
    }
}
