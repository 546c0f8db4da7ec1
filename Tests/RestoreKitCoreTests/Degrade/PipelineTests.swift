import Testing
@testable import RestoreKitCore

@Suite("Degrade: JPEG round trip and the synthesis pipelines")
struct DegradePipelineTests {
    static let photo = DegradeTestSupport.crop(x: 120, y: 60, width: 96, height: 72)

    /// The position of each step kind in SPIRE's order.
    static func rank(_ step: DegradationStep) -> Int {
        switch step {
        case .blur: return 0
        case .resize: return 1
        case .gaussianNoise, .poissonNoise: return 2
        case .jpeg: return 3
        case .quantize: return 4
        case .camera: return 5
        }
    }

    @Test("JPEG round trip: libjpeg-turbo 4:2:0 at the quality; gray stays gray; alpha is kept")
    func jpeg() throws {
        let photo = Self.photo
        let out = try photo.jpegRoundTrip(quality: 40)
        let direct = try JPEGCodec.decode(try JPEGCodec.encode(photo, quality: 40, chroma: .both)).image
        #expect(out == direct && out != photo)
        let gray = try Image(width: 96, height: 72, layout: .gray, samples: Array(photo.plane(1)))
        #expect(try gray.jpegRoundTrip(quality: 70).layout == .gray)
        let alpha = (0 ..< photo.planeCount).map { Float($0 % 7) / 6 }
        let rgba = photo.withAlpha(alpha)
        let compressed = try rgba.jpegRoundTrip(quality: 40)
        #expect(compressed.layout == .rgba && Array(compressed.alpha!) == alpha)
        #expect(compressed.colorOnly == out)
        #expect(throws: RestoreError.self) { try photo.jpegRoundTrip(quality: 0) }
    }

    @Test("a stated prompt applies blur → bicubic downsampling → noise → JPEG with its exact values")
    func applyPrompt() throws {
        let prompt = RestorationPrompt(deblur: .value(1.5), upsample: .value(2.5), denoise: .value(0.04), dejpeg: .value(55))
        let result = try PromptDegradation.apply(prompt, to: Self.photo, seed: 9)
        #expect(result.prompt == prompt)
        #expect(result.steps == [.blur(.gaussian(sigma: 1.5), size: 13),
                                 .resize(width: 38, height: 29, filter: .bicubic, antialias: true),
                                 .gaussianNoise(sigma: 0.04, gray: false, seed: 9),
                                 .jpeg(quality: 55)])
        let manual = try Self.photo.convolved(with: try BlurKernel(.gaussian(sigma: 1.5)))
            .resized(width: 38, height: 29, filter: .bicubic)
            .addingGaussianNoise(sigma: 0.04, seed: 9)
            .jpegRoundTrip(quality: 55)
        #expect(result.image == manual)
        // Clauses present alone apply alone.
        let blurOnly = try PromptDegradation.apply(RestorationPrompt(deblur: .value(0.5)), to: Self.photo)
        #expect(blurOnly.steps == [.blur(.gaussian(sigma: 0.5), size: 5)])
        #expect(try PromptDegradation.apply(RestorationPrompt(), to: Self.photo).image == Self.photo)
    }

    @Test("bare verbs and blind mode cannot be applied", arguments: [
        RestorationPrompt(deblur: .estimate), RestorationPrompt(upsample: .estimate, denoise: .value(0.1)),
        RestorationPrompt(denoise: .estimate), RestorationPrompt(dejpeg: .estimate),
        RestorationPrompt(removeAllDegradation: true), RestorationPrompt(deblur: .value(1), removeAllDegradation: true),
        RestorationPrompt(upsample: .value(0.5)), RestorationPrompt(dejpeg: .value(101)),
        RestorationPrompt(deblur: .value(0)), RestorationPrompt(denoise: .value(-0.01)),
    ])
    func refusals(prompt: RestorationPrompt) {
        #expect(throws: RestoreError.self) { try PromptDegradation.apply(prompt, to: Self.photo) }
        do {
            _ = try PromptDegradation.apply(prompt, to: Self.photo)
        } catch let error as RestoreError {
            #expect(error.kind == .invalidArgument)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("SPIRE: values in range, rounded as printed; stages in order; the prompt reproduces the image")
    func spire() throws {
        for seed in UInt64(0) ..< 24 {
            let result = try SPIREPipeline.degrade(Self.photo, seed: seed)
            let p = result.prompt
            #expect(!p.removeAllDegradation && !p.needsEstimate || p.isEmpty)
            if let s = p.deblur?.value {
                #expect(SPIREPipeline.blurSigmaRange.contains(s) && (s * 100).rounded() / 100 == s)
            }
            if let f = p.upsample?.value {
                #expect(SPIREPipeline.downsampleRange.contains(f) && (f * 10).rounded() / 10 == f)
            }
            if let s = p.denoise?.value {
                #expect(SPIREPipeline.noiseSigmaRange.contains(s) && (s * 100).rounded() / 100 == s)
            }
            if let q = p.dejpeg?.value { #expect(SPIREPipeline.jpegQualityRange.contains(q)) }
            // The printed prompt reads back as exactly the values applied.
            #expect(try RestorationPrompt.parse(String(describing: p)) == p)
            let ranks = result.steps.map(Self.rank)
            #expect(ranks == ranks.sorted() && Set(ranks).count == ranks.count)
            // The same draw, replayed: the prompt alone (plus the noise seed) gives the image.
            var generator = SeededGenerator(seed: seed)
            #expect(SPIREPipeline.samplePrompt(using: &generator) == p)
            let replay = try PromptDegradation.apply(p, to: Self.photo, seed: generator.next())
            #expect(replay.steps == result.steps && replay.image == result.image)
        }
    }

    @Test("SPIRE skips each stage about half the time")
    func spireSkips() {
        var generator = SeededGenerator(seed: 99)
        var present = [0, 0, 0, 0]
        let n = 4000
        for _ in 0 ..< n {
            let p = SPIREPipeline.samplePrompt(using: &generator)
            for (i, on) in [p.deblur != nil, p.upsample != nil, p.denoise != nil, p.dejpeg != nil].enumerated() where on {
                present[i] += 1
            }
        }
        #expect(present.allSatisfy { abs(Double($0) / Double(n) - 0.5) < 0.03 })
    }

    @Test("Real-ESRGAN: blind prompt, 1/4 size, 8-bit output, deterministic per seed")
    func realESRGAN() throws {
        let a = try RealESRGANPipeline.degrade(Self.photo, seed: 5)
        #expect(a.prompt == RestorationPrompt(removeAllDegradation: true))
        #expect(a.image.width == 24 && a.image.height == 18 && a.image.layout == .rgb)
        #expect(a.image.samples.allSatisfy { ($0 * 255).rounded() == $0 * 255 && $0 >= 0 && $0 <= 1 })
        #expect(a.steps.last == .quantize)
        let again = try RealESRGANPipeline.degrade(Self.photo, seed: 5)
        #expect(again.image == a.image && again.steps == a.steps)
        #expect(try RealESRGANPipeline.degrade(Self.photo, seed: 6).image != a.image)
        #expect(try DegradationStep.apply(a.steps, to: Self.photo) == a.image)
        #expect(throws: RestoreError.self) {
            try RealESRGANPipeline.degrade(DegradeTestSupport.constant(0, width: 3, height: 8, layout: .rgb), seed: 1)
        }
    }

    @Test("Real-ESRGAN: gray stays gray, alpha is blurred and resized but not noised")
    func realESRGANLayouts() throws {
        let gray = try Image(width: 96, height: 72, layout: .gray, samples: Array(Self.photo.plane(0)))
        #expect(try RealESRGANPipeline.degrade(gray, seed: 3).image.layout == .gray)
        let alpha = (0 ..< Self.photo.planeCount).map { Float($0 % 96) / 95 }
        let result = try RealESRGANPipeline.degrade(Self.photo.withAlpha(alpha), seed: 3)
        #expect(result.image.layout == .rgba)
        // Alpha alone through the blur and resize steps only.
        let alphaImage = try Image(width: 96, height: 72, layout: .gray, samples: alpha)
        let geometric = result.steps.filter {
            if case .blur = $0 { return true }
            if case .resize = $0 { return true }
            return false
        }
        #expect(Array(result.image.alpha!) == (try DegradationStep.apply(geometric, to: alphaImage)).samples)
    }

    @Test("Real-ESRGAN: every drawn parameter lies in the published x4plus ranges, at the published rates")
    func realESRGANRanges() {
        var generator = SeededGenerator(seed: 2024)
        let n = 3000
        var secondBlur = 0, finalSinc = 0, sincFirst = 0, gaussianFirst = 0, jpegFirst = 0, ordered = 0
        for _ in 0 ..< n {
            let steps = RealESRGANPipeline.sampleSteps(width: 400, height: 400, settings: .x4plus, using: &generator)
            // blur, [resize], noise, jpeg, [blur], [resize], noise, then the final group.
            guard case .blur(let shape1, let size1) = steps[0] else { Issue.record("first step \(steps[0])"); return }
            #expect((7 ... 21).contains(size1) && size1 % 2 == 1)
            if case .sinc(let cutoff) = shape1 {
                sincFirst += 1
                #expect(cutoff <= Double.pi && cutoff >= (size1 < 13 ? Double.pi / 3 : Double.pi / 5))
            }
            for step in steps {
                switch step {
                case .gaussianNoise(let sigma, _, _):
                    #expect(sigma >= 1.0 / 255 && sigma <= 30.0 / 255)
                case .poissonNoise(let scale, _, _):
                    #expect(scale >= 0.05 && scale <= 3)
                case .jpeg(let quality):
                    #expect((30 ... 95).contains(quality))
                case .resize(let w, let h, let filter, let antialias):
                    #expect(filter != .nearest && filter != .lanczos && !antialias)
                    #expect(w >= 15 && w <= 600 && w == h)
                case .blur(.gaussian(let sigma), _):
                    #expect(sigma >= 0.2 && sigma <= 3)
                case .blur(.generalizedGaussian(let sx, let sy, _, let beta), _):
                    #expect(sx >= 0.2 && sy <= 3 && beta >= 0.5 && beta <= 4)
                case .blur(.plateau(_, _, _, let beta), _):
                    #expect(beta >= 1 && beta <= 2)
                default:
                    break
                }
            }
            if case .gaussianNoise = steps.first(where: { Self.rank($0) == 2 })! { gaussianFirst += 1 }
            let blurs = steps.filter { if case .blur = $0 { return true }; return false }
            let lastNoise = steps.lastIndex { Self.rank($0) == 2 }!
            let finalGroup = steps[(lastNoise + 1)...]
            let hasFinalSinc = finalGroup.contains { if case .blur(.sinc, _) = $0 { return true }; return false }
            if hasFinalSinc { finalSinc += 1 }
            if blurs.count - (hasFinalSinc ? 1 : 0) == 2 { secondBlur += 1 }
            // The final JPEG comes first or last in its group (a "keep" second resize
            // leaves no final resize, and without the sinc the JPEG may stand alone).
            if finalGroup.count > 2 {
                ordered += 1
                if case .jpeg = finalGroup.first! { jpegFirst += 1 }
            }
            #expect(steps.last == .quantize)
            // The output is always resized to 1/4 in the end.
            let lastResize = steps.last { if case .resize = $0 { return true }; return false }
            if case .resize(let w, let h, _, _)? = lastResize { #expect(w == 100 && h == 100) }
        }
        func rate(_ count: Int) -> Double { Double(count) / Double(n) }
        #expect(abs(rate(secondBlur) - 0.8) < 0.03)
        #expect(abs(rate(finalSinc) - 0.8) < 0.03)
        #expect(abs(rate(sincFirst) - 0.1) < 0.02)
        #expect(abs(rate(gaussianFirst) - 0.5) < 0.03)
        #expect(abs(Double(jpegFirst) / Double(ordered) - 0.5) < 0.035)
    }
}
