/// One channel (Y, Cb, Cr or gray) on JPEG's sample scale, 0–255, row by row:
/// the scale the quantisation steps are expressed in.
struct JPEGPlane {
    let width: Int
    let height: Int
    var samples: [Float]

    init(width: Int, height: Int, samples: [Float]) {
        precondition(samples.count == width * height, "plane size mismatch")
        self.width = width
        self.height = height
        self.samples = samples
    }

    init(width: Int, height: Int) {
        self.init(width: width, height: height, samples: [Float](repeating: 0, count: width * height))
    }

    /// This plane grown to at least `minimum` × `minimum` by repeating the last
    /// column and row, as a JPEG encoder pads a partial block.
    func padded(toAtLeast minimum: Int) -> JPEGPlane {
        guard width < minimum || height < minimum else { return self }
        let w = max(width, minimum), h = max(height, minimum)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0 ..< h {
            let source = min(y, height - 1) * width
            for x in 0 ..< w { out[y * w + x] = samples[source + min(x, width - 1)] }
        }
        return JPEGPlane(width: w, height: h, samples: out)
    }

    /// The top-left `width` × `height` samples.
    func cropped(width w: Int, height h: Int) -> JPEGPlane {
        guard w != width || h != height else { return self }
        var out = [Float](repeating: 0, count: w * h)
        for y in 0 ..< h {
            for x in 0 ..< w { out[y * w + x] = samples[y * width + x] }
        }
        return JPEGPlane(width: w, height: h, samples: out)
    }
}
