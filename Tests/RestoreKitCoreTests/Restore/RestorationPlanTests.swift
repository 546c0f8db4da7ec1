import Testing
@testable import RestoreKitCore

@Suite struct RestorationPlanTests {
    func plan(_ restorers: [any Restorer]) -> RestorationPlan {
        RestorationPlan(stages: restorers.map { PlannedStage(task: .denoise(sigma: 0.1), restorer: $0, backend: "test") },
                        prompt: RestorationPrompt(denoise: .value(0.1)))
    }

    /// Halos chain through stages and scale: tiles equal the whole render exactly.
    @Test(arguments: [16, 37, 64])
    func tiledEqualsWhole(_ side: Int) throws {
        let image = testImage(width: 71, height: 53)
        let chain = plan([BoxMean(radius: 2), BoxMean(radius: 1), NearestUpsample(factor: 2), BoxMean(radius: 1)])
        let whole = try RestorationExecutor().run(chain, on: image, tileSize: 4096, context: RestorationContext())
        let tiled = try RestorationExecutor().run(chain, on: image, tileSize: side, context: RestorationContext())
        #expect(whole.width == 142 && whole.height == 106)
        #expect(tiled == whole)
    }

    @Test func regionRenderMatchesWhole() throws {
        let image = testImage(width: 40, height: 30)
        let chain = plan([BoxMean(radius: 2), NearestUpsample(factor: 3)])
        let whole = try RestorationExecutor().run(chain, on: image, tileSize: 4096, context: RestorationContext())
        let region = Rect(x: 31, y: 20, width: 50, height: 41)
        let needed = chain.inputRect(for: region, width: 40, height: 30)
        #expect(needed == Rect(x: 8, y: 4, width: 21, height: 19))
        let pixels = try RestorationExecutor().render(chain, region, from: image.cropped(to: needed), at: needed, width: 40, height: 30,
                                      context: RestorationContext())
        #expect(pixels == whole.cropped(to: region))
    }

    @Test func alphaIsCarriedAndResampled() throws {
        let rgb = testImage(width: 20, height: 10)
        let alpha = (0 ..< 200).map { Float($0 % 20) / 19 }
        let image = rgb.withAlpha(alpha)
        let same = try RestorationExecutor().run(plan([BoxMean(radius: 1)]), on: image, tileSize: 8,
                                                 context: RestorationContext())
        #expect(same.layout == .rgba)
        #expect(Array(same.alpha!) == alpha)
        let doubled = try RestorationExecutor().run(plan([NearestUpsample(factor: 2)]), on: image, tileSize: 16,
                                                    context: RestorationContext())
        #expect(doubled.layout == .rgba && doubled.width == 40)
        #expect(doubled[0, 0, 3] == 0 && doubled[39, 19, 3] == 1)
        // Bilinear with aligned centres: output column 1 sits at input x 0.25.
        #expect(abs(doubled[1, 5, 3] - 0.25 / 19) < 1e-6)
    }

    @Test func grayStaysGray() throws {
        let image = testImage(width: 30, height: 20, layout: .grayAlpha)
        let out = try RestorationExecutor().run(plan([BoxMean(radius: 1)]), on: image, tileSize: 16,
                                                context: RestorationContext())
        #expect(out.layout == .grayAlpha)
    }

    @Test func strengthBlendsWithTheInput() throws {
        let image = testImage(width: 24, height: 24)
        let planner = RestorationPlanner(backends: [RecordingBackend(joint: false)])
        let prompt = RestorationPrompt(denoise: .value(0.1))
        func run(_ s: Double) throws -> Image {
            var request = RestorationRequest()
            request.strength = s
            return try RestorationExecutor().run(planner.plan(prompt, channels: 3, request: request), on: image,
                                                 context: RestorationContext())
        }
        let none = try run(0), half = try run(0.5), full = try run(1)
        #expect(none == image)
        for i in stride(from: 0, to: image.samples.count, by: 97) {
            #expect(abs(half.samples[i] - (image.samples[i] + full.samples[i]) / 2) < 1e-6)
        }
    }

    @Test func progressReachesEveryTileOnTheCallingThread() throws {
        var fractions: [Double] = []
        var stages: Set<String> = []
        let context = RestorationContext(threads: 2) { fraction, stage in
            fractions.append(fraction)
            stages.insert(stage)
            return .proceed
        }
        _ = try RestorationExecutor().run(plan([BoxMean(radius: 1), NearestUpsample(factor: 2)]),
                                          on: testImage(width: 64, height: 64),
                                                                            tileSize: 32, context: context)
        // 16 output tiles of 32 from a 128² output; each reports stage and tile milestones.
        #expect(fractions.count >= 16)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(fractions.last == 1)
        #expect(stages.contains("denoise (box, test)"))
    }

    @Test func cancelStopsAndThrows() throws {
        var calls = 0
        let context = RestorationContext { fraction, _ in
            calls += 1
            return fraction >= 0.3 ? .cancel : .proceed
        }
        let error = #expect(throws: RestoreError.self) {
            try RestorationExecutor().run(plan([BoxMean(radius: 1)]), on: testImage(width: 64, height: 64),
                                          tileSize: 16, context: context)
        }
        #expect(error?.kind == .cancelled)
        #expect(calls < 16)
    }
}
