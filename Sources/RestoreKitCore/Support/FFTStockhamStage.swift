#if canImport(Glibc)
import Glibc
#endif

extension FFT {
    /// One radix-p pass of a Stockham autosort transform.
    ///
    /// A pass splits each of `stride` interleaved sub-transforms of length
    /// n = p·m into p of length m: input element j + r·m (r < p) of a
    /// sub-transform feeds output element p·j + k after a length-p DFT and the
    /// twiddle e^(−2πi·jk/n). Element e of a batch item sits at e·(stride·batch),
    /// so the innermost loop runs over `stride·batch` contiguous floats: batch
    /// items never mix, which is what lets threads split a batch between them.
    struct StockhamStage: Sendable {
        /// The butterfly size: 2, 3, 4 or 5.
        let radix: Int
        /// Length of the sub-transforms this pass produces (n / radix).
        let m: Int
        /// Number of interleaved sub-transforms (product of the earlier radices).
        let stride: Int
        /// Offset of this pass's twiddles in the plan's table: for each j < m,
        /// (radix − 1) complex values e^(−2πi·jk/n), k = 1 …, as re, im pairs.
        let twiddleOffset: Int

        /// The twiddles of a pass of `radix` over sub-transforms of length n = radix·m.
        static func twiddles(radix: Int, m: Int) -> [Float] {
            let n = radix * m
            var table: [Float] = []
            table.reserveCapacity(2 * m * (radix - 1))
            for j in 0 ..< m {
                for k in 1 ..< radix {
                    // Reduce jk mod n in integers so large n keep full accuracy.
                    let angle = -2 * Double.pi * Double((j * k) % n) / Double(n)
                    table.append(Float(cos(angle)))
                    table.append(Float(sin(angle)))
                }
            }
            return table
        }
    }

    /// (ar + i·ai)·(br + i·bi) as (real, imaginary): a twiddle or chirp factor applied.
    @inline(__always)
    static func product(_ ar: Float, _ ai: Float, _ br: Float, _ bi: Float) -> (Float, Float) {
        (ar * br - ai * bi, ar * bi + ai * br)
    }

    /// Which contiguous runs of a pass's inner dimension one call covers: all
    /// `stride·batch` floats at once when every batch item is included, else
    /// one run of the selected items per sub-transform.
    struct Runs {
        let count: Int
        let step: Int
        let start: Int
        let length: Int

        init(stride: Int, batch: Int, items: Range<Int>) {
            if items.count == batch {
                (count, step, start, length) = (1, 0, 0, stride * batch)
            } else {
                (count, step, start, length) = (stride, batch, items.lowerBound, items.count)
            }
        }
    }
}

extension FFT.StockhamStage {
    /// Runs this pass from (`xr`, `xi`) into (`yr`, `yi`) for the batch items
    /// `items` of `batch`; `table` is the plan's twiddle table.
    func apply(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
               _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
               batch: Int, items: Range<Int>, table: UnsafePointer<Float>) {
        let runs = FFT.Runs(stride: stride, batch: batch, items: items)
        let s = stride * batch
        let tw = table + twiddleOffset
        switch radix {
        case 4: radix4(xr, xi, yr, yi, s: s, runs: runs, tw: tw)
        case 2: radix2(xr, xi, yr, yi, s: s, runs: runs, tw: tw)
        case 3: radix3(xr, xi, yr, yi, s: s, runs: runs, tw: tw)
        default: radix5(xr, xi, yr, yi, s: s, runs: runs, tw: tw)
        }
    }

    private func radix2(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
                        _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                        s: Int, runs: FFT.Runs, tw: UnsafePointer<Float>) {
        for j in 0 ..< m {
            let w1r = tw[2 * j], w1i = tw[2 * j + 1]
            for run in 0 ..< runs.count {
                let t0 = run * runs.step + runs.start
                let a0r = xr + j * s + t0, a0i = xi + j * s + t0
                let a1r = a0r + m * s, a1i = a0i + m * s
                let b0r = yr + 2 * j * s + t0, b0i = yi + 2 * j * s + t0
                let b1r = b0r + s, b1i = b0i + s
                for t in 0 ..< runs.length {
                    let pr = a0r[t], pi = a0i[t], qr = a1r[t], qi = a1i[t]
                    b0r[t] = pr + qr
                    b0i[t] = pi + qi
                    let dr = pr - qr, di = pi - qi
                    (b1r[t], b1i[t]) = FFT.product(dr, di, w1r, w1i)
                }
            }
        }
    }

    private func radix3(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
                        _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                        s: Int, runs: FFT.Runs, tw: UnsafePointer<Float>) {
        let half: Float = 0.5
        let sin60: Float = 0.866_025_403_784_438_6
        for j in 0 ..< m {
            let w = tw + 4 * j
            let w1r = w[0], w1i = w[1], w2r = w[2], w2i = w[3]
            for run in 0 ..< runs.count {
                let t0 = run * runs.step + runs.start
                let a0r = xr + j * s + t0, a0i = xi + j * s + t0
                let a1r = a0r + m * s, a1i = a0i + m * s
                let a2r = a1r + m * s, a2i = a1i + m * s
                let b0r = yr + 3 * j * s + t0, b0i = yi + 3 * j * s + t0
                let b1r = b0r + s, b1i = b0i + s
                let b2r = b1r + s, b2i = b1i + s
                for t in 0 ..< runs.length {
                    let x0r = a0r[t], x0i = a0i[t]
                    let sr = a1r[t] + a2r[t], si = a1i[t] + a2i[t]
                    // (a1 − a2)·(−i·sin 60°)
                    let dr = (a1i[t] - a2i[t]) * sin60, di = (a2r[t] - a1r[t]) * sin60
                    let mr = x0r - half * sr, mi = x0i - half * si
                    b0r[t] = x0r + sr
                    b0i[t] = x0i + si
                    let c1r = mr + dr, c1i = mi + di
                    let c2r = mr - dr, c2i = mi - di
                    (b1r[t], b1i[t]) = FFT.product(c1r, c1i, w1r, w1i)
                    (b2r[t], b2i[t]) = FFT.product(c2r, c2i, w2r, w2i)
                }
            }
        }
    }

    private func radix4(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
                        _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                        s: Int, runs: FFT.Runs, tw: UnsafePointer<Float>) {
        for j in 0 ..< m {
            let w = tw + 6 * j
            let w1r = w[0], w1i = w[1], w2r = w[2], w2i = w[3], w3r = w[4], w3i = w[5]
            for run in 0 ..< runs.count {
                let t0 = run * runs.step + runs.start
                let a0r = xr + j * s + t0, a0i = xi + j * s + t0
                let a1r = a0r + m * s, a1i = a0i + m * s
                let a2r = a1r + m * s, a2i = a1i + m * s
                let a3r = a2r + m * s, a3i = a2i + m * s
                let b0r = yr + 4 * j * s + t0, b0i = yi + 4 * j * s + t0
                let b1r = b0r + s, b1i = b0i + s
                let b2r = b1r + s, b2i = b1i + s
                let b3r = b2r + s, b3i = b2i + s
                for t in 0 ..< runs.length {
                    let p0r = a0r[t] + a2r[t], p0i = a0i[t] + a2i[t]
                    let p1r = a0r[t] - a2r[t], p1i = a0i[t] - a2i[t]
                    let p2r = a1r[t] + a3r[t], p2i = a1i[t] + a3i[t]
                    // (a1 − a3)·(−i)
                    let p3r = a1i[t] - a3i[t], p3i = a3r[t] - a1r[t]
                    b0r[t] = p0r + p2r
                    b0i[t] = p0i + p2i
                    let c1r = p1r + p3r, c1i = p1i + p3i
                    let c2r = p0r - p2r, c2i = p0i - p2i
                    let c3r = p1r - p3r, c3i = p1i - p3i
                    (b1r[t], b1i[t]) = FFT.product(c1r, c1i, w1r, w1i)
                    (b2r[t], b2i[t]) = FFT.product(c2r, c2i, w2r, w2i)
                    (b3r[t], b3i[t]) = FFT.product(c3r, c3i, w3r, w3i)
                }
            }
        }
    }

    private func radix5(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
                        _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>,
                        s: Int, runs: FFT.Runs, tw: UnsafePointer<Float>) {
        let c1: Float = 0.309_016_994_374_947_4    // cos 72°
        let c2: Float = -0.809_016_994_374_947_4   // cos 144°
        let s1: Float = 0.951_056_516_295_153_6    // sin 72°
        let s2: Float = 0.587_785_252_292_473_1    // sin 144°
        for j in 0 ..< m {
            let w = tw + 8 * j
            let w1r = w[0], w1i = w[1], w2r = w[2], w2i = w[3]
            let w3r = w[4], w3i = w[5], w4r = w[6], w4i = w[7]
            for run in 0 ..< runs.count {
                let t0 = run * runs.step + runs.start
                let a0r = xr + j * s + t0, a0i = xi + j * s + t0
                let a1r = a0r + m * s, a1i = a0i + m * s
                let a2r = a1r + m * s, a2i = a1i + m * s
                let a3r = a2r + m * s, a3i = a2i + m * s
                let a4r = a3r + m * s, a4i = a3i + m * s
                let b0r = yr + 5 * j * s + t0, b0i = yi + 5 * j * s + t0
                let b1r = b0r + s, b1i = b0i + s
                let b2r = b1r + s, b2i = b1i + s
                let b3r = b2r + s, b3i = b2i + s
                let b4r = b3r + s, b4i = b3i + s
                for t in 0 ..< runs.length {
                    let x0r = a0r[t], x0i = a0i[t]
                    let p1r = a1r[t] + a4r[t], p1i = a1i[t] + a4i[t]
                    let p2r = a2r[t] + a3r[t], p2i = a2i[t] + a3i[t]
                    let d1r = a1r[t] - a4r[t], d1i = a1i[t] - a4i[t]
                    let d2r = a2r[t] - a3r[t], d2i = a2i[t] - a3i[t]
                    let e1r = x0r + c1 * p1r + c2 * p2r, e1i = x0i + c1 * p1i + c2 * p2i
                    let e2r = x0r + c2 * p1r + c1 * p2r, e2i = x0i + c2 * p1i + c1 * p2i
                    let f1r = s1 * d1r + s2 * d2r, f1i = s1 * d1i + s2 * d2i
                    let f2r = s2 * d1r - s1 * d2r, f2i = s2 * d1i - s1 * d2i
                    b0r[t] = x0r + p1r + p2r
                    b0i[t] = x0i + p1i + p2i
                    // y1 = e1 − i·f1, y4 = e1 + i·f1, y2 = e2 − i·f2, y3 = e2 + i·f2
                    let y1r = e1r + f1i, y1i = e1i - f1r
                    let y4r = e1r - f1i, y4i = e1i + f1r
                    let y2r = e2r + f2i, y2i = e2i - f2r
                    let y3r = e2r - f2i, y3i = e2i + f2r
                    (b1r[t], b1i[t]) = FFT.product(y1r, y1i, w1r, w1i)
                    (b2r[t], b2i[t]) = FFT.product(y2r, y2i, w2r, w2i)
                    (b3r[t], b3i[t]) = FFT.product(y3r, y3i, w3r, w3i)
                    (b4r[t], b4i[t]) = FFT.product(y4r, y4i, w4r, w4i)
                }
            }
        }
    }
}
