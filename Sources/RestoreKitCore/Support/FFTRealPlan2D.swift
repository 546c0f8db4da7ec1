extension FFT {
    /// The 2-D discrete Fourier transform of real `width × height` planes
    /// (row-major floats), producing and consuming `Spectrum2D`.
    ///
    /// How: pairs of columns form one complex column (x[2b] + i·x[2b+1]),
    /// transformed along y as one batch; the two real columns' spectra are
    /// separated by symmetry, keeping ky ≤ height/2, and written transposed;
    /// then the rows are transformed along x as a second batch. Both passes
    /// run on contiguous batches (vectorisable) and split across threads.
    ///
    /// Every method takes `threads`: up to that many threads share the work
    /// (0 or less: one per core); results do not depend on it. Each call
    /// allocates its scratch once (about two planes' worth), never in loops.
    public final class RealPlan2D: Sendable {
        /// Plane width in pixels.
        public let width: Int
        /// Plane height in pixels.
        public let height: Int
        /// Along y, over the column pairs.
        let vertical: ComplexPlan
        /// Along x, over the kept vertical frequencies.
        let horizontal: ComplexPlan

        /// A plan for `width × height` planes (both at least 1).
        public init(width: Int, height: Int) throws {
            guard width >= 1, height >= 1 else {
                throw RestoreError(.invalidArgument, "an FFT needs a size of at least 1 × 1, not \(width) × \(height)")
            }
            self.width = width
            self.height = height
            vertical = try ComplexPlan.shared(length: height)
            horizontal = try ComplexPlan.shared(length: width)
        }

        /// The plan for `width × height` from the process-wide cache.
        public static func shared(width: Int, height: Int) throws -> RealPlan2D {
            try FFT.realPlans2D.value(for: PlanSize(width: width, height: height)) {
                try RealPlan2D(width: width, height: height)
            }
        }

        /// Column pairs: ⌈width / 2⌉ (an odd width's last column pairs with zeros).
        var pairs: Int { (width + 1) / 2 }
        /// Row length of the packed pairs: odd, so the radix passes' streams,
        /// (height / radix) rows apart, do not all fall on the same cache sets
        /// when that distance is a multiple of 4 KiB (1024 × 1024, say).
        var pairStride: Int { pairs | 1 }
        /// Kept vertical frequencies.
        var rowLength: Int { height / 2 + 1 }

        /// The spectrum of `plane` (`width · height` values, row by row).
        public func forward(_ plane: [Float], threads: Int = 1) throws -> Spectrum2D {
            var spectrum = Spectrum2D(width: width, height: height)
            try forward(plane, into: &spectrum, threads: threads)
            return spectrum
        }

        /// Writes the spectrum of `plane` into `spectrum` (of this plan's size),
        /// reusing its storage.
        public func forward(_ plane: [Float], into spectrum: inout Spectrum2D, threads: Int = 1) throws {
            try check(planeCount: plane.count, spectrum)
            plane.withUnsafeBufferPointer { source in
                transform(source.baseAddress!, into: &spectrum, threads: FFT.threadCount(threads))
            }
        }

        /// The plane whose spectrum is `spectrum`.
        public func inverse(_ spectrum: Spectrum2D, threads: Int = 1) throws -> [Float] {
            var plane = [Float](repeating: 0, count: width * height)
            try inverse(spectrum, into: &plane, threads: threads)
            return plane
        }

        /// Writes the plane whose spectrum is `spectrum` into `plane`
        /// (`width · height` values), reusing its storage.
        public func inverse(_ spectrum: Spectrum2D, into plane: inout [Float], threads: Int = 1) throws {
            try check(planeCount: plane.count, spectrum)
            plane.withUnsafeMutableBufferPointer { target in
                reconstruct(spectrum, into: target.baseAddress!, threads: FFT.threadCount(threads))
            }
        }

        private func check(planeCount: Int, _ spectrum: Spectrum2D) throws {
            guard planeCount == width * height, spectrum.width == width, spectrum.height == height,
                  spectrum.real.count == width * rowLength, spectrum.imaginary.count == width * rowLength else {
                throw RestoreError(.invalidArgument,
                    "a \(width) × \(height) FFT got a plane of \(planeCount) values and a \(spectrum.width) × \(spectrum.height) spectrum")
            }
        }

        /// Floats of scratch: the packed column pairs and the vertical pass's
        /// scratch, or the horizontal pass's scratch, whichever is more.
        private var scratchCount: Int {
            max(2 * height * pairStride + vertical.scratchCount(batch: pairStride),
                horizontal.scratchCount(batch: rowLength))
        }

        /// Column-pair blocks handled together when (un)packing: enough pairs
        /// for long inner loops, few enough that the 2·block spectrum rows
        /// being written stay in cache.
        private static let pairBlock = 16

        /// `forward` on raw memory, with `threads` already resolved.
        func transform(_ plane: UnsafePointer<Float>, into spectrum: inout Spectrum2D, threads: Int) {
            let (w, h, p, ld, rows) = (width, height, pairs, pairStride, rowLength)
            var scratch = [Float](unsafeUninitializedCapacity: scratchCount) { _, n in n = scratchCount }
            scratch.withUnsafeMutableBufferPointer { buffer in
                let zr = buffer.baseAddress!, zi = zr + h * ld, work = zi + h * ld
                // Pack: z[y][b] = x[y][2b] + i·x[y][2b+1].
                let rowBands = FFT.chunks(h, threads: threads * 4)
                parallelFor(rowBands.count, threads: threads) { c in
                    for y in rowBands[c] {
                        let row = plane + y * w, outR = zr + y * ld, outI = zi + y * ld
                        for b in 0 ..< w / 2 {
                            outR[b] = row[2 * b]
                            outI[b] = row[2 * b + 1]
                        }
                        if w % 2 == 1 {
                            outR[p - 1] = row[w - 1]
                            outI[p - 1] = 0
                        }
                    }
                }
                let pairChunks = FFT.chunks(p, threads: threads)
                parallelFor(pairChunks.count, threads: threads) { c in
                    vertical.transform(zr, zi, batch: ld, items: pairChunks[c], scratch: work)
                }
                spectrum.real.withUnsafeMutableBufferPointer { sr in
                    spectrum.imaginary.withUnsafeMutableBufferPointer { si in
                        let (sr, si) = (sr.baseAddress!, si.baseAddress!)
                        // Separate each pair: with Z = X₁ + i·X₂ and m = −k mod h,
                        // X₁[k] = (Z[k] + conj Z[m]) / 2, X₂[k] = (Z[k] − conj Z[m]) / 2i.
                        let blocks = (p + Self.pairBlock - 1) / Self.pairBlock
                        parallelFor(blocks, threads: threads) { block in
                            let first = block * Self.pairBlock, last = min(p, first + Self.pairBlock)
                            for k in 0 ..< rows {
                                let m = (h - k) % h
                                let ar = zr + k * ld, ai = zi + k * ld, br = zr + m * ld, bi = zi + m * ld
                                for b in first ..< last {
                                    let x1 = 2 * b * rows + k
                                    sr[x1] = 0.5 * (ar[b] + br[b])
                                    si[x1] = 0.5 * (ai[b] - bi[b])
                                    if 2 * b + 1 < w {
                                        sr[x1 + rows] = 0.5 * (ai[b] + bi[b])
                                        si[x1 + rows] = 0.5 * (br[b] - ar[b])
                                    }
                                }
                            }
                        }
                        let rowChunks = FFT.chunks(rows, threads: threads)
                        parallelFor(rowChunks.count, threads: threads) { c in
                            horizontal.transform(sr, si, batch: rows, items: rowChunks[c], scratch: zr)
                        }
                    }
                }
            }
        }

        /// `inverse` on raw memory, with `threads` already resolved.
        func reconstruct(_ spectrum: Spectrum2D, into plane: UnsafeMutablePointer<Float>, threads: Int) {
            let (w, h, p, ld, rows) = (width, height, pairs, pairStride, rowLength)
            let count = w * rows
            let total = 2 * count + scratchCount
            var scratch = [Float](unsafeUninitializedCapacity: total) { _, n in n = total }
            scratch.withUnsafeMutableBufferPointer { buffer in
                let ur = buffer.baseAddress!, ui = ur + count, rest = ui + count
                spectrum.real.withUnsafeBufferPointer { ur.update(from: $0.baseAddress!, count: count) }
                spectrum.imaginary.withUnsafeBufferPointer { ui.update(from: $0.baseAddress!, count: count) }
                // Inverse along x (real and imaginary exchanged): then row
                // x·rows + k holds w·Yₓ[k], the vertical spectrum of column x.
                let rowChunks = FFT.chunks(rows, threads: threads)
                parallelFor(rowChunks.count, threads: threads) { c in
                    horizontal.transform(ui, ur, batch: rows, items: rowChunks[c], scratch: rest)
                }
                let zr = rest, zi = zr + h * ld, work = zi + h * ld
                // Pair the columns again, Z = Y₂ᵦ + i·Y₂ᵦ₊₁, completing k > h/2
                // from Y[h − k] = conj Y[k].
                let blocks = (p + Self.pairBlock - 1) / Self.pairBlock
                parallelFor(blocks, threads: threads) { block in
                    let first = block * Self.pairBlock, last = min(p, first + Self.pairBlock)
                    for k in 0 ..< h {
                        let mirrored = k >= rows
                        let kk = mirrored ? h - k : k
                        let outR = zr + k * ld, outI = zi + k * ld
                        for b in first ..< last {
                            let u = 2 * b * rows + kk
                            let (uR, uI) = (ur[u], mirrored ? -ui[u] : ui[u])
                            var (vR, vI): (Float, Float) = (0, 0)
                            if 2 * b + 1 < w {
                                (vR, vI) = (ur[u + rows], mirrored ? -ui[u + rows] : ui[u + rows])
                            }
                            outR[b] = uR - vI
                            outI[b] = uI + vR
                        }
                    }
                }
                let pairChunks = FFT.chunks(p, threads: threads)
                parallelFor(pairChunks.count, threads: threads) { c in
                    vertical.transform(zi, zr, batch: ld, items: pairChunks[c], scratch: work)
                }
                let scale = 1 / Float(w * h)
                let rowBands = FFT.chunks(h, threads: threads * 4)
                parallelFor(rowBands.count, threads: threads) { c in
                    for y in rowBands[c] {
                        let row = plane + y * w, inR = zr + y * ld, inI = zi + y * ld
                        for b in 0 ..< w / 2 {
                            row[2 * b] = inR[b] * scale
                            row[2 * b + 1] = inI[b] * scale
                        }
                        if w % 2 == 1 { row[w - 1] = inR[p - 1] * scale }
                    }
                }
            }
        }
    }

    /// `threads`, with 0 or less meaning one per core.
    static func threadCount(_ threads: Int) -> Int {
        threads > 0 ? threads : ProcessorInfo.coreCount
    }
}
