import Testing
@testable import RestoreKitCore

/// A whole-image stage runs once per input and request, however many regions
/// a host renders, and regions still agree with the whole render.
@Suite struct WholeImageStageTests {
    /// Adds the image's mean to every sample (a global pass) and counts its runs.
    final class GlobalMean: WholeImageRestorer, @unchecked Sendable {
        private let lock = Lock()
        private var count = 0
        var name: String { "global mean" }
        var runs: Int { lock.withLock { count } }

        func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }

        func restore(image: Image, context: RestorationContext) throws -> Image {
            lock.withLock { count += 1 }
            let mean = image.samples.reduce(0, +) / Float(image.samples.count)
            var out = image
            for i in out.samples.indices { out.samples[i] = 0.5 * out.samples[i] + 0.5 * mean }
            return out
        }
    }

    /// Denoises with a box mean, then applies the global stage; upsamples with nearest neighbours.
    struct GlobalBackend: RestorationBackend {
        let global: GlobalMean
        var name: String { "global" }

        func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
            switch task {
            case .denoise: return BoxMean(radius: 1)
            case .upsample(let factor, 0, _): return NearestUpsample(factor: Int(factor))
            case .deblur: return global
            default: return nil
            }
        }
    }

    static let prompt = "Denoise with sigma 0.1, Upsample to 2, Deblur with sigma 1"

    @Test func runsOnceAcrossRegionsAndMatchesTheWholeRender() throws {
        let global = GlobalMean()
        let engine = RestorationEngine(backends: [GlobalBackend(global: global)])
        let image = testImage(width: 40, height: 30)
        let request = try RestorationRequest(restoration: Self.prompt)
        let whole = try engine.restore(image, request: request).image
        #expect(global.runs == 1)
        #expect(whole.width == 80 && whole.height == 60)

        var grid = try Image(width: 80, height: 60, layout: .rgb)
        for tile in RestorationExecutor.grid(width: 80, height: 60, side: 24) {
            let (input, plan) = try engine.region(tile, width: 40, height: 30, request: request)
            #expect(input == Rect(width: 40, height: 30))
            #expect(plan.stages.map(\.restorer.computation) == [.local, .local, .wholeImage])
            grid.paste(try engine.render(tile, of: plan, width: 40, height: 30, from: image, at: input), x: tile.x, y: tile.y)
        }
        #expect(global.runs == 1, "the whole-image stage ran \(global.runs) times")
        #expect(grid == whole)

        // Another input, or another request, computes it anew.
        var other = image
        other.samples[0] = 0
        _ = try engine.restore(other, request: request)
        #expect(global.runs == 2)
        var stronger = request
        stronger.strength = 0.5
        _ = try engine.restore(other, request: stronger)
        #expect(global.runs == 3)
    }

    @Test func aLaterLocalStageStillTiles() throws {
        // Global first, then a local box mean: the box mean sees the kept output with its halo.
        let global = GlobalMean()
        let chain = RestorationPlan(stages: [PlannedStage(task: .deblur(sigma: 1, noise: 0), restorer: global, backend: "t"),
                                             PlannedStage(task: .denoise(sigma: 0.1), restorer: BoxMean(radius: 2),
                                                          backend: "t")],
                                    prompt: RestorationPrompt(deblur: .value(1), denoise: .value(0.1)))
        let image = testImage(width: 50, height: 40)
        let executor = RestorationExecutor()
        let whole = try executor.run(chain, on: image, tileSize: 4096, context: RestorationContext())
        let tiled = try executor.run(chain, on: image, tileSize: 16, context: RestorationContext())
        #expect(tiled == whole)
        #expect(global.runs == 1)
    }
}
