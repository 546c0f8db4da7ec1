extension Image {
    /// The image plus zero-mean Gaussian noise of standard deviation `sigma`
    /// (image units), clipped to [0, 1]. Colour noise is drawn independently for
    /// each channel; `gray` noise draws one value per pixel and adds it to every
    /// colour channel (Real-ESRGAN's "gray noise"). Alpha is left alone.
    ///
    /// Row y of channel c draws from stream c·height + y of `seed` (gray noise:
    /// stream y), so the result depends on the seed alone, not on the thread count.
    public func addingGaussianNoise(sigma: Double, gray: Bool = false, seed: UInt64) throws -> Image {
        guard sigma >= 0, sigma.isFinite else {
            throw RestoreError(.invalidArgument, "noise sigma must be finite and non-negative, not \(sigma)")
        }
        guard sigma > 0 else { return self }
        let shared = gray || layout.colorChannelCount == 1
        return addingNoise(shared: shared) { stream, count, noise in
            var generator = SeededGenerator(seed: seed, stream: UInt64(stream))
            for x in 0 ..< count { noise[x] = Float(generator.nextNormal() * sigma) }
        }
    }

    /// The image plus Real-ESRGAN's Poisson (shot) noise, clipped to [0, 1]:
    /// samples are rounded to 8 bits, the number of distinct values v among them
    /// is raised to a power of two n, and the noise is (Poisson(n·v)/n − v)·`scale`.
    /// `gray` noise is computed once on the luma (0.2989 R + 0.587 G + 0.114 B, as
    /// torchvision's `rgb_to_grayscale`) and added to every colour channel.
    /// Alpha is left alone. Streams are assigned as in `addingGaussianNoise`.
    public func addingPoissonNoise(scale: Double, gray: Bool = false, seed: UInt64) throws -> Image {
        guard scale >= 0, scale.isFinite else {
            throw RestoreError(.invalidArgument, "Poisson noise scale must be finite and non-negative, not \(scale)")
        }
        guard scale > 0 else { return self }
        let shared = gray || layout.colorChannelCount == 1
        // The 8-bit codes the noise is computed on: luma for shared noise, else each colour plane.
        let codes: [UInt8]
        if shared && layout.colorChannelCount == 3 {
            codes = (0 ..< planeCount).map { i in
                Image.code8(0.2989 * samples[i] + 0.587 * samples[planeCount + i] + 0.114 * samples[2 * planeCount + i])
            }
        } else {
            codes = samples[0 ..< layout.colorChannelCount * planeCount].map(Image.code8)
        }
        var seen = [Bool](repeating: false, count: 256)
        for code in codes { seen[Int(code)] = true }
        let distinct = seen.lazy.filter { $0 }.count
        var levels = 1
        while levels < distinct { levels *= 2 }
        let n = Float(levels)
        return codes.withUnsafeBufferPointer { codes in
            addingNoise(shared: shared) { stream, count, noise in
                var generator = SeededGenerator(seed: seed, stream: UInt64(stream))
                let row = codes.baseAddress! + stream * count
                for x in 0 ..< count {
                    let v = Float(row[x]) / 255
                    let shot = Float(generator.nextPoisson(mean: Double(v * n))) / n
                    noise[x] = (shot - v) * Float(scale)
                }
            }
        }
    }

    /// A sample as an 8-bit code, clamped (NaN to 0) and rounded half to even (as `torch.round`).
    private static func code8(_ v: Float) -> UInt8 {
        if !(v > 0) { return 0 }
        if v >= 1 { return 255 }
        return UInt8((v * 255).rounded(.toNearestOrEven))
    }

    /// Adds noise row by row, in parallel, and clips the colour planes to [0, 1].
    /// `draw(stream, width, buffer)` fills one row of noise for stream
    /// c·height + y, or y when the noise is `shared` by the colour channels.
    private func addingNoise(shared: Bool,
                             _ draw: (_ stream: Int, _ width: Int, _ noise: UnsafeMutablePointer<Float>) -> Void) -> Image {
        var out = self
        let colors = layout.colorChannelCount
        let streams = shared ? height : colors * height
        out.samples.withUnsafeMutableBufferPointer { target in
            parallelFor(streams) { stream in
                var noise = [Float](repeating: 0, count: width)
                noise.withUnsafeMutableBufferPointer { buffer in
                    draw(stream, width, buffer.baseAddress!)
                    for c in shared ? 0 ..< colors : stream / height ..< stream / height + 1 {
                        let row = target.baseAddress! + c * planeCount + (stream % height) * width
                        for x in 0 ..< width { row[x] = min(max(row[x] + buffer[x], 0), 1) }
                    }
                }
            }
        }
        return out
    }
}
