/// Translation-invariant 8×8 DCT shrinkage: every 8×8 window of a plane (all
/// 64 shifts of the block grid) is transformed, its coefficients are shrunk,
/// and the inverse transforms are averaged back, each window weighted by how
/// little noise it is expected to keep (BM3D's aggregation weights).
///
/// Two shrinkage rules, the two steps of a BM3D-style estimate without the
/// block matching: hard thresholding, and an empirical Wiener filter whose
/// signal power comes from a first ("pilot") estimate.
///
/// Work is split into bands of output rows. A band transforms every window
/// that touches it (up to 7 rows above it are repeated work) and adds window
/// rows in top-to-bottom order, so each output sample is summed in the same
/// order whatever the band, thread or tile boundaries: the result of a pixel
/// depends only on the samples within 7 pixels of it, bit for bit.
struct SlidingDCTShrinkage {
    /// How the coefficients of one window are shrunk.
    enum Rule {
        /// Keep coefficients whose magnitude reaches `threshold` (the DC
        /// coefficient always); weight 1 / (coefficients kept).
        case hardThreshold(threshold: Float)
        /// Multiply by p² / (p² + σ²), p the pilot's coefficient and σ² the
        /// noise `variance`; weight 1 / Σ (gain²).
        case wiener(pilot: JPEGPlane, variance: Float)
    }

    let rule: Rule

    /// Rows per band: the 7 rows of repeated window transforms cost 11 %.
    static let bandHeight = 64

    /// `plane` shrunk by `rule`; progress and cancellation through `context`.
    /// Planes smaller than a window are padded by edge repetition first.
    func apply(to plane: JPEGPlane, context: RestorationContext) throws -> JPEGPlane {
        let source = plane.padded(toAtLeast: 8)
        var pilot: JPEGPlane?
        if case .wiener(let p, _) = rule { pilot = p.padded(toAtLeast: 8) }
        var out = JPEGPlane(width: source.width, height: source.height)
        let bands = (source.height + Self.bandHeight - 1) / Self.bandHeight
        try out.samples.withUnsafeMutableBufferPointer { out in
            let out = out
            try ParallelWork.run(bands, context: context) { band in
                let rows = band * Self.bandHeight ..< min(source.height, (band + 1) * Self.bandHeight)
                filter(rows: rows, source: source, pilot: pilot, into: out.baseAddress!)
            }
        }
        return out.cropped(width: plane.width, height: plane.height)
    }

    /// Computes output `rows` of the shrunk `source` into `out` (the whole plane).
    private func filter(rows: Range<Int>, source: JPEGPlane, pilot: JPEGPlane?,
                        into out: UnsafeMutablePointer<Float>) {
        let (w, h) = (source.width, source.height)
        // Rows hold 16 samples of slack so that 8-wide loads and stores past a
        // row's last window stay inside the buffer (those lanes weigh nothing).
        let stride = w + 16
        let firstWindow = max(0, rows.lowerBound - 7), lastWindow = min(h - 8, rows.upperBound - 1)
        let size = (25 + 2 * rows.count) * stride
        let buffers = UnsafeMutablePointer<Float>.allocate(capacity: size)
        buffers.initialize(repeating: 0, count: size)
        let coefficients = UnsafeMutablePointer<FloatLanes>.allocate(capacity: 2 * 64)
        coefficients.initialize(repeating: FloatLanes(0), count: 2 * 64)
        defer {
            buffers.deallocate()
            coefficients.deallocate()
        }
        let columnsOfSource = buffers                  // 8 rows: vertical DCT of the window row
        let columnsOfPilot = buffers + 8 * stride      // 8 rows: the same for the pilot
        let sums = buffers + 16 * stride               // 8 rows: horizontally inverted, weighted
        let weightRow = buffers + 24 * stride          // 1 row: window weights by start column
        let accumulated = buffers + 25 * stride        // the band's rows
        let weights = accumulated + rows.count * stride
        let pilotCoefficients = coefficients + 64      // lane l: window x + l

        BlockDCT.basis.withUnsafeBufferPointer { c in
            let c = c.baseAddress!
            source.samples.withUnsafeBufferPointer { src in
                let pilotSamples = pilot?.samples ?? []
                pilotSamples.withUnsafeBufferPointer { pil in
                    for y in firstWindow ... lastWindow {
                        Self.verticalDCT(src.baseAddress!, row: y, width: w, basis: c, into: columnsOfSource, stride: stride)
                        if pilot != nil {
                            Self.verticalDCT(pil.baseAddress!, row: y, width: w, basis: c, into: columnsOfPilot, stride: stride)
                        }
                        sums.update(repeating: 0, count: 8 * stride)
                        weightRow.update(repeating: 0, count: stride)
                        let windows = w - 7
                        var x = 0
                        while x < windows {
                            Self.horizontalDCT(columnsOfSource + x, stride: stride, basis: c, into: coefficients)
                            var weight: FloatLanes
                            switch rule {
                            case .hardThreshold(let threshold):
                                weight = Self.hardThreshold(coefficients, threshold)
                            case .wiener(_, let variance):
                                Self.horizontalDCT(columnsOfPilot + x, stride: stride, basis: c, into: pilotCoefficients)
                                weight = Self.wiener(coefficients, pilot: pilotCoefficients, variance)
                            }
                            // Lanes past the last window contribute nothing.
                            let valid = windows - x
                            if valid < 8 { weight = weight * FloatLanes(lanesBelow: valid) }
                            for i in 0 ..< 64 { coefficients[i] *= weight }
                            Self.horizontalInverse(coefficients, basis: c, adding: sums + x, stride: stride)
                            for j in 0 ..< 8 { weight.add(to: weightRow + x + j) }
                            x += 8
                        }
                        // Vertical inverse of the whole window row into the band's rows.
                        for i in 0 ..< 8 where rows.contains(y + i) {
                            let r = y + i - rows.lowerBound
                            Self.verticalInverse(sums, stride: stride, tap: i, basis: c, width: w,
                                                 adding: accumulated + r * stride)
                            var x = 0
                            while x < w {
                                FloatLanes(weightRow + x).add(to: weights + r * stride + x)
                                x += 8
                            }
                        }
                    }
                }
            }
        }
        for r in 0 ..< rows.count {
            let target = out + (rows.lowerBound + r) * w
            for x in 0 ..< w { target[x] = accumulated[r * stride + x] / weights[r * stride + x] + 128 }
        }
    }

    /// Row `u` of `into` (rows `stride` apart) gets the coefficient u of the
    /// vertical 8-point DCT of rows `row`…`row + 7` of `plane` (level-shifted),
    /// for every column.
    @inline(__always)
    private static func verticalDCT(_ plane: UnsafePointer<Float>, row: Int, width: Int,
                                    basis c: UnsafePointer<Float>,
                                    into out: UnsafeMutablePointer<Float>, stride: Int) {
        let lines = plane + row * width
        let shift = FloatLanes(-128)
        var x = 0
        while x + 8 <= width {
            let v0 = FloatLanes(lines + x) + shift, v1 = FloatLanes(lines + width + x) + shift
            let v2 = FloatLanes(lines + 2 * width + x) + shift, v3 = FloatLanes(lines + 3 * width + x) + shift
            let v4 = FloatLanes(lines + 4 * width + x) + shift, v5 = FloatLanes(lines + 5 * width + x) + shift
            let v6 = FloatLanes(lines + 6 * width + x) + shift, v7 = FloatLanes(lines + 7 * width + x) + shift
            for u in 0 ..< 8 {
                weighted(c + u * 8, step: 1, v0, v1, v2, v3, v4, v5, v6, v7).store(to: out + u * stride + x)
            }
            x += 8
        }
        while x < width {
            for u in 0 ..< 8 {
                var sum: Float = 0
                for k in 0 ..< 8 { sum += c[u * 8 + k] * (lines[k * width + x] - 128) }
                out[u * stride + x] = sum
            }
            x += 1
        }
    }

    /// The 64 coefficients of the 8 windows starting at columns 0…7 of `columns`
    /// (vertical coefficients, rows `stride` apart): `into[u·8 + v]` holds
    /// coefficient (u, v) of each window in one lane.
    @inline(__always)
    private static func horizontalDCT(_ columns: UnsafeMutablePointer<Float>, stride: Int,
                                      basis c: UnsafePointer<Float>,
                                      into out: UnsafeMutablePointer<FloatLanes>) {
        for u in 0 ..< 8 {
            let line = columns + u * stride
            let s0 = FloatLanes(line), s1 = FloatLanes(line + 1), s2 = FloatLanes(line + 2), s3 = FloatLanes(line + 3)
            let s4 = FloatLanes(line + 4), s5 = FloatLanes(line + 5), s6 = FloatLanes(line + 6), s7 = FloatLanes(line + 7)
            for v in 0 ..< 8 {
                out[u * 8 + v] = weighted(c + v * 8, step: 1, s0, s1, s2, s3, s4, s5, s6, s7)
            }
        }
    }

    /// Zeroes AC coefficients below `threshold` in magnitude; returns
    /// 1 / (coefficients kept, DC included).
    @inline(__always)
    private static func hardThreshold(_ coefficients: UnsafeMutablePointer<FloatLanes>,
                                      _ threshold: Float) -> FloatLanes {
        var kept = FloatLanes(1)
        for i in 1 ..< 64 { coefficients[i].threshold(threshold, counting: &kept) }
        return FloatLanes(1) / kept
    }

    /// Applies the empirical Wiener gains; returns 1 / Σ gain² (bounded for
    /// windows whose pilot is all zero).
    @inline(__always)
    private static func wiener(_ coefficients: UnsafeMutablePointer<FloatLanes>,
                               pilot: UnsafeMutablePointer<FloatLanes>,
                               _ variance: Float) -> FloatLanes {
        var energy = FloatLanes(1e-3)
        let noise = FloatLanes(variance)
        for i in 0 ..< 64 {
            let power = pilot[i] * pilot[i]
            let gain = power / (power + noise)
            coefficients[i] *= gain
            energy += gain * gain
        }
        return FloatLanes(1) / energy
    }

    /// Adds the horizontal inverse of the 8 windows' coefficients to rows u of
    /// `sums` (rows `stride` apart; lane l of window sample j lands on column l + j).
    @inline(__always)
    private static func horizontalInverse(_ coefficients: UnsafeMutablePointer<FloatLanes>,
                                          basis c: UnsafePointer<Float>,
                                          adding sums: UnsafeMutablePointer<Float>, stride: Int) {
        for u in 0 ..< 8 {
            let f = coefficients + u * 8
            let f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4], f5 = f[5], f6 = f[6], f7 = f[7]
            let line = sums + u * stride
            for j in 0 ..< 8 {
                weighted(c + j, step: 8, f0, f1, f2, f3, f4, f5, f6, f7).add(to: line + j)
            }
        }
    }

    /// Σᵢ k[i·step]·vᵢ over the eight vectors, summed in order: a row (step 1)
    /// or column (step 8) of the basis applied to eight samples or coefficients.
    @inline(__always)
    private static func weighted(_ k: UnsafePointer<Float>, step: Int,
                                 _ v0: FloatLanes, _ v1: FloatLanes, _ v2: FloatLanes, _ v3: FloatLanes,
                                 _ v4: FloatLanes, _ v5: FloatLanes, _ v6: FloatLanes, _ v7: FloatLanes) -> FloatLanes {
        var sum = k[0] * v0
        sum += k[step] * v1
        sum += k[2 * step] * v2
        sum += k[3 * step] * v3
        sum += k[4 * step] * v4
        sum += k[5 * step] * v5
        sum += k[6 * step] * v6
        sum += k[7 * step] * v7
        return sum
    }

    /// Adds sample `tap` of the vertical inverse of `sums` (8 rows `stride`
    /// apart) to `row` (still level-shifted).
    @inline(__always)
    private static func verticalInverse(_ sums: UnsafeMutablePointer<Float>, stride: Int, tap: Int,
                                        basis c: UnsafePointer<Float>, width: Int,
                                        adding row: UnsafeMutablePointer<Float>) {
        let c0 = c[tap], c1 = c[8 + tap], c2 = c[16 + tap], c3 = c[24 + tap]
        let c4 = c[32 + tap], c5 = c[40 + tap], c6 = c[48 + tap], c7 = c[56 + tap]
        var x = 0
        while x < width {
            var sum = c0 * FloatLanes(sums + x)
            sum += c1 * FloatLanes(sums + stride + x)
            sum += c2 * FloatLanes(sums + 2 * stride + x)
            sum += c3 * FloatLanes(sums + 3 * stride + x)
            sum += c4 * FloatLanes(sums + 4 * stride + x)
            sum += c5 * FloatLanes(sums + 5 * stride + x)
            sum += c6 * FloatLanes(sums + 6 * stride + x)
            sum += c7 * FloatLanes(sums + 7 * stride + x)
            sum.add(to: row + x)
            x += 8
        }
    }
}

private extension FloatLanes {
    /// 1 in the first `count` lanes, 0 in the others.
    init(lanesBelow count: Int) {
        self.init(count > 0 ? 1 : 0, count > 1 ? 1 : 0, count > 2 ? 1 : 0, count > 3 ? 1 : 0,
                  count > 4 ? 1 : 0, count > 5 ? 1 : 0, count > 6 ? 1 : 0, count > 7 ? 1 : 0)
    }

    /// Sets lanes of magnitude below `t` to 0 and adds 1 to `kept` for the others.
    @inline(__always)
    mutating func threshold(_ t: Float, counting kept: inout FloatLanes) {
        Self.threshold(&l0, t, &kept.l0)
        Self.threshold(&l1, t, &kept.l1)
        Self.threshold(&l2, t, &kept.l2)
        Self.threshold(&l3, t, &kept.l3)
        Self.threshold(&l4, t, &kept.l4)
        Self.threshold(&l5, t, &kept.l5)
        Self.threshold(&l6, t, &kept.l6)
        Self.threshold(&l7, t, &kept.l7)
    }

    @inline(__always)
    private static func threshold(_ value: inout Float, _ t: Float, _ kept: inout Float) {
        let small = value.magnitude < t
        value = small ? 0 : value
        kept += small ? 0 : 1
    }
}
