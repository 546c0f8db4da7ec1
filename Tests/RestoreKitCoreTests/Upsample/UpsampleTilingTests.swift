import Testing
@testable import RestoreKitCore

/// A region restored on its own (from `inputRect(for:)`'s input) must equal the
/// same region of a whole-image run, so hosts can render tile by tile with no
/// seams; and a cancel from the progress handler must stop the work.
@Suite struct UpsampleTilingTests {
    typealias T = UpsampleTestImages

    /// Every tile of a `side`-pixel grid over the output, restored alone and
    /// pasted, against the whole-image result and the ground truth.
    func tiledAgainstWhole(_ truth: Image, factor: Double, blur: Double = 0, noise: Double = 0,
                           side: Int) throws -> (maxDifference: Float, psnrWhole: Double, psnrTiled: Double) {
        let low = T.degraded(truth, factor: factor, blur: blur)
        let upsampler = BackProjectionUpsampler(factor: factor, blur: blur, noise: noise)
        let whole = try T.upsample(low, with: upsampler)
        var tiled = try Image(width: whole.width, height: whole.height, layout: whole.layout)
        for y in stride(from: 0, to: whole.height, by: side) {
            for x in stride(from: 0, to: whole.width, by: side) {
                let tile = Rect(x: x, y: y, width: min(side, whole.width - x), height: min(side, whole.height - y))
                let needed = upsampler.inputRect(for: tile, inputWidth: low.width, inputHeight: low.height)
                #expect(Rect(width: low.width, height: low.height).contains(needed))
                let pixels = try upsampler.restore(low.cropped(to: needed), at: needed, producing: tile,
                                                   inputWidth: low.width, inputHeight: low.height,
                                                   context: RestorationContext(threads: 2))
                #expect((pixels.width, pixels.height) == (tile.width, tile.height))
                tiled.paste(pixels, x: x, y: y)
            }
        }
        let difference = zip(whole.samples, tiled.samples).map { abs($0 - $1) }.max() ?? 0
        let reference = try truth.resized(width: whole.width, height: whole.height, filter: .bicubic)
        return (difference, try PSNR.measure(whole, reference: reference, channels: .lumaY),
                try PSNR.measure(tiled, reference: reference, channels: .lumaY))
    }

    @Test(arguments: [(2.0, false), (3.0, true), (2.5, false), (1.7, true), (6.4, false)])
    func tilesEqualTheWholeImage(factor: Double, gray: Bool) throws {
        // Tiles of 37 pixels: off every factor's grid, with border tiles narrower.
        let truth = T.truth(width: 128, height: 96, gray: gray)
        let result = try tiledAgainstWhole(truth, factor: factor, side: 37)
        #expect(result.maxDifference <= 1 / 255, "×\(factor): \(result.maxDifference * 255)/255")
        #expect(abs(result.psnrWhole - result.psnrTiled) < 0.05)
    }

    @Test(arguments: [(2.0, 2.0, 0.0), (1.5, 1.0, 0.05)])
    func tilesEqualTheWholeImageWithBlurAndNoise(factor: Double, blur: Double, noise: Double) throws {
        let truth = T.truth(width: 96, height: 80)
        let result = try tiledAgainstWhole(truth, factor: factor, blur: blur, noise: noise, side: 29)
        #expect(result.maxDifference <= 1 / 255, "×\(factor) blur \(blur): \(result.maxDifference * 255)/255")
        #expect(abs(result.psnrWhole - result.psnrTiled) < 0.05)
    }

    @Test func aPlanRunTileByTileEqualsTheWholeImage() throws {
        // The executor's own tiling, as hosts drive it, RGB at a fractional factor.
        let low = T.degraded(T.truth(width: 120, height: 90), factor: 2)
        let upsampler = BackProjectionUpsampler(factor: 2.3, blur: 0.5, noise: 0)
        let plan = RestorationPlan(stages: [PlannedStage(task: .upsample(factor: 2.3, blur: 0.5, noise: 0),
                                                         restorer: upsampler, backend: "classic")],
                                   prompt: RestorationPrompt(deblur: .value(0.5), upsample: .value(2.3)))
        let tiled = try RestorationExecutor().run(plan, on: low, tileSize: 64, context: RestorationContext(threads: 2))
        let whole = try T.upsample(low, with: upsampler)
        #expect((tiled.width, tiled.height) == (whole.width, whole.height))
        let difference = zip(whole.samples, tiled.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(difference <= 1 / 255, "\(difference * 255)/255")
    }

    @Test func inputRectIsTheWholeInputForTheWholeOutput() {
        let upsampler = BackProjectionUpsampler(factor: 2.5, blur: 0, noise: 0)
        #expect(upsampler.inputRect(for: Rect(width: 250, height: 125), inputWidth: 100, inputHeight: 50)
            == Rect(width: 100, height: 50))
        let corner = upsampler.inputRect(for: Rect(x: 0, y: 0, width: 10, height: 10), inputWidth: 100, inputHeight: 50)
        #expect(corner.x == 0 && corner.y == 0 && corner.width < 100 && corner.height < 50)
    }

    @Test func cancelFromTheProgressHandlerStopsTheRun() throws {
        let low = T.degraded(T.truth(width: 144, height: 120), factor: 2)
        let upsampler = BackProjectionUpsampler(factor: 4, blur: 0, noise: 0)
        var calls = 0, last = -1.0, monotone = true
        let context = RestorationContext(threads: 2) { fraction, _ in
            calls += 1
            if fraction < last { monotone = false }
            last = fraction
            return .cancel
        }
        let error = #expect(throws: RestoreError.self) { try T.upsample(low, with: upsampler, context: context) }
        #expect(error?.kind == .cancelled)
        #expect(calls == 1)
        #expect(monotone)
    }

    @Test func progressIsReportedInOrder() throws {
        let low = T.degraded(T.truth(width: 144, height: 120), factor: 2)
        var fractions: [Double] = []
        let context = RestorationContext(threads: 2) { fraction, _ in
            fractions.append(fraction)
            return .proceed
        }
        _ = try T.upsample(low, with: BackProjectionUpsampler(factor: 4, blur: 0, noise: 0), context: context)
        #expect(!fractions.isEmpty)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(fractions.allSatisfy { (0 ... 1).contains($0) })
    }
}
