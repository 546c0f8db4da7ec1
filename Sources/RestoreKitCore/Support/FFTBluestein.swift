#if canImport(Glibc)
import Glibc
#endif

extension FFT {
    /// Bluestein's chirp-z algorithm: a DFT of any length n as a circular
    /// convolution of length M ≥ 2n − 1 (a fast size), using
    /// kn = (k² + n² − (k − n)²) / 2:
    /// X[k] = w[k] · Σₙ (x[n]·w[n]) · conj(w[k − n]), with w[n] = e^(−πi·n²/N).
    final class BluesteinTransform: Sendable {
        let length: Int
        /// The convolution plan, of a fast length.
        let inner: ComplexPlan
        /// The chirp w[n], n < length.
        let chirpReal: [Float]
        let chirpImaginary: [Float]
        /// The inner plan's transform of conj(w) wrapped circularly, divided by
        /// the inner length (which folds in the inverse transform's scaling).
        let kernelReal: [Float]
        let kernelImaginary: [Float]

        init(length: Int) throws {
            self.length = length
            let size = FFT.fastSize(atLeast: 2 * length - 1)
            inner = try ComplexPlan(length: size)
            var wr = [Float](repeating: 0, count: length)
            var wi = [Float](repeating: 0, count: length)
            for n in 0 ..< length {
                // n² mod 2N in integers keeps the angle exact for large n.
                let angle = -Double.pi * Double((n * n) % (2 * length)) / Double(length)
                wr[n] = Float(cos(angle))
                wi[n] = Float(sin(angle))
            }
            chirpReal = wr
            chirpImaginary = wi
            var kr = [Float](repeating: 0, count: size)
            var ki = [Float](repeating: 0, count: size)
            for n in 0 ..< length {
                kr[n] = wr[n]
                ki[n] = -wi[n]
                if n > 0 {
                    kr[size - n] = wr[n]
                    ki[size - n] = -wi[n]
                }
            }
            try inner.forward(real: &kr, imaginary: &ki)
            let scale = 1 / Float(size)
            kernelReal = kr.map { $0 * scale }
            kernelImaginary = ki.map { $0 * scale }
        }

        /// Floats of scratch a batch of `batch` needs: the padded signals plus
        /// the inner plan's own scratch.
        func scratchCount(batch: Int) -> Int {
            2 * inner.length * batch + inner.scratchCount(batch: batch)
        }

        /// The unscaled forward DFT in place of the batch items `items`.
        func transform(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>,
                       batch: Int, items: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
            let size = inner.length
            let (ar, ai) = (scratch, scratch + size * batch)
            let innerScratch = scratch + 2 * size * batch
            chirpReal.withUnsafeBufferPointer { wr in
                chirpImaginary.withUnsafeBufferPointer { wi in
                    let (wr, wi) = (wr.baseAddress!, wi.baseAddress!)
                    Self.multiply(re, im, byRow: wr, wi, rows: length, batch: batch, items: items, into: ar, ai)
                    for n in length ..< size {
                        for b in items {
                            ar[n * batch + b] = 0
                            ai[n * batch + b] = 0
                        }
                    }
                    inner.transform(ar, ai, batch: batch, items: items, scratch: innerScratch)
                    kernelReal.withUnsafeBufferPointer { kr in
                        kernelImaginary.withUnsafeBufferPointer { ki in
                            Self.multiply(ar, ai, byRow: kr.baseAddress!, ki.baseAddress!, rows: size, batch: batch,
                                          items: items, into: ar, ai)
                        }
                    }
                    // Inverse by exchanging real and imaginary parts; the 1/size
                    // is already in the kernel.
                    inner.transform(ai, ar, batch: batch, items: items, scratch: innerScratch)
                    Self.multiply(ar, ai, byRow: wr, wi, rows: length, batch: batch, items: items, into: re, im)
                }
            }
        }

        /// Row k < `rows` of the batch items `items` of (`xr`, `xi`), times the
        /// complex factor (`wr[k]`, `wi[k]`), into (`yr`, `yi`), which may be
        /// (`xr`, `xi`) themselves.
        @inline(__always)
        private static func multiply(_ xr: UnsafePointer<Float>, _ xi: UnsafePointer<Float>,
                                     byRow wr: UnsafePointer<Float>, _ wi: UnsafePointer<Float>,
                                     rows: Int, batch: Int, items: Range<Int>,
                                     into yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>) {
            for k in 0 ..< rows {
                let row = k * batch
                for b in items {
                    (yr[row + b], yi[row + b]) = FFT.product(xr[row + b], xi[row + b], wr[k], wi[k])
                }
            }
        }
    }
}
