import Testing
@testable import RestoreKitCore

@Suite("Degrade: the camera pipeline and its measured noise")
struct CameraPipelineTests {
    static let photo = DegradeTestSupport.crop(x: 120, y: 60, width: 96, height: 72)

    /// A draw with the given noise and no sharpening, gains and colour matrix from seed 5.
    static func parameters(shot: Double, read: Double) -> CameraPipeline.Parameters {
        var generator = SeededGenerator(seed: 5)
        var p = CameraPipeline.sample(using: &generator).0
        (p.shotNoise, p.readNoise, p.sharpening) = (shot, read, 0)
        return p
    }

    @Test("without noise the pipeline gives back a smooth image")
    func noiseFreeRoundTrip() throws {
        // Smooth colours: only demosaicing (a mild blur) and highlight handling may change them.
        var smooth = try Image(width: 64, height: 48, layout: .rgb)
        for y in 0 ..< 48 {
            for x in 0 ..< 64 {
                smooth[x, y, 0] = 0.1 + 0.7 * Float(x) / 63
                smooth[x, y, 1] = 0.2 + 0.6 * Float(y) / 47
                smooth[x, y, 2] = 0.5 + 0.3 * Float(x + y) / 110
            }
        }
        let out = try CameraPipeline.render(smooth, Self.parameters(shot: 0.01, read: 0.001), noiseSeed: nil)
        // Away from the border, where demosaicing mirrors and so extrapolates by a pixel.
        var worst: Float = 0
        for c in 0 ..< 3 {
            for y in 1 ..< 47 { for x in 1 ..< 63 { worst = max(worst, abs(out[x, y, c] - smooth[x, y, c])) } }
        }
        #expect(worst < 0.01, "largest change \(worst)")
    }

    @Test("the noise depends on brightness and is correlated by demosaicing")
    func realisticNoise() throws {
        var ramp = try Image(width: 128, height: 96, layout: .rgb)
        for c in 0 ..< 3 {
            for y in 0 ..< 96 { for x in 0 ..< 128 { ramp[x, y, c] = 0.02 + 0.96 * Float(x) / 127 } }
        }
        let p = Self.parameters(shot: 0.01, read: 0.0001)
        let clean = try CameraPipeline.render(ramp, p, noiseSeed: nil)
        let noisy = try CameraPipeline.render(ramp, p, noiseSeed: 11)
        let model = CameraNoiseModel(noisy: noisy, clean: clean)
        for channel in model.channels {
            let sigmas = channel.sigmas.compactMap { $0 }
            #expect(sigmas.count >= 6)
            // Shot noise seen through gamma and tone curve: σ changes by more than half across the levels.
            #expect(sigmas.max()! > 1.5 * sigmas.min()!, "\(channel.sigmas)")
            // Bilinear demosaicing makes neighbours share raw samples.
            #expect(channel.correlations[0] > 0.2 && channel.correlations[1] > 0.2, "\(channel.correlations)")
        }
        #expect(model.sigma > 0.01)
        #expect(CameraNoiseModel(noisy: clean, clean: clean).sigma == 0)
    }

    @Test("a draw replays from its steps, differs by seed, and states itself in the prompt and JSON")
    func draws() throws {
        let a = try CameraPipeline.degrade(Self.photo, seed: 3)
        #expect(try DegradationStep.apply(a.result.steps, to: Self.photo) == a.result.image)
        #expect(try CameraPipeline.degrade(Self.photo, seed: 3).result.image == a.result.image)
        #expect(try CameraPipeline.degrade(Self.photo, seed: 4).result.image != a.result.image)
        #expect(a.result.prompt.denoiseProfile == a.noise.profile && a.noise.profile.tones.count == 3)
        #expect(a.result.prompt.denoise == .value(a.noise.profile.midGreySigma(uniform: 0)))
        #expect(a.noise.grain > 1.3 && a.noise.grain < 4, "demosaicing correlates neighbours: \(a.noise.grain)")
        #expect(a.result.prompt.dejpeg == a.jpegQuality.map { .value($0) })
        #expect(try RestorationPrompt.parse(String(describing: a.result.prompt)) == a.result.prompt)
        #expect(a.json.hasPrefix("{\"prompt\": ") && a.json.contains("\"noise\": {\"sigma\": "))
        // Over seeds, both JPEG and sharpening are sometimes drawn and sometimes not.
        let draws = (0 ..< 16).map { seed -> (CameraPipeline.Parameters, Int?) in
            var generator = SeededGenerator(seed: UInt64(seed))
            return CameraPipeline.sample(using: &generator)
        }
        #expect(Set(draws.map { $0.1 == nil }).count == 2 && Set(draws.map { $0.0.sharpening == 0 }).count == 2)
        for (p, _) in draws {
            #expect(CameraPipeline.shotNoiseRange.contains(p.shotNoise) && p.readNoise > 0)
        }
    }

    @Test("alpha passes through; gray images are refused with a reason")
    func layouts() throws {
        let alpha = (0 ..< Self.photo.planeCount).map { Float($0 % 5) / 4 }
        let out = try CameraPipeline.degrade(Self.photo.withAlpha(alpha), seed: 1).result.image
        #expect(out.layout == .rgba && Array(out.alpha!) == alpha)
        let gray = try Image(width: 8, height: 8, layout: .gray)
        #expect { try CameraPipeline.degrade(gray, seed: 1) } throws: { error in
            (error as? RestoreError)?.message.contains("colour image") == true
        }
    }
}
