extension FFT {
    /// The discrete Fourier transform of complex signals of one `length`,
    /// applied to a batch of signals at once.
    ///
    /// Signals are split-complex (real parts in one array, imaginary parts in
    /// another) and interleaved by element: element n of batch item b is at
    /// index `n * batch + b`. A batch of the columns of a row-major image is
    /// thus the image itself, and every butterfly runs along contiguous memory.
    public final class ComplexPlan: Sendable {
        /// The transform length.
        public let length: Int
        /// The radix passes, for a fast length (empty for length 1).
        let stages: [StockhamStage]
        /// All passes' twiddles, see `StockhamStage.twiddleOffset`.
        let twiddles: [Float]
        /// Set when `length` is not a fast size.
        let bluestein: BluesteinTransform?

        /// A plan for signals of `length` (at least 1).
        public init(length: Int) throws {
            guard length >= 1 else {
                throw RestoreError(.invalidArgument, "an FFT needs a length of at least 1, not \(length)")
            }
            self.length = length
            if FFT.isFastSize(length) {
                var stages: [StockhamStage] = []
                var table: [Float] = []
                var n = length, stride = 1
                for radix in FFT.radices(of: length) {
                    let m = n / radix
                    stages.append(StockhamStage(radix: radix, m: m, stride: stride, twiddleOffset: table.count))
                    table += StockhamStage.twiddles(radix: radix, m: m)
                    n = m
                    stride *= radix
                }
                self.stages = stages
                self.twiddles = table
                self.bluestein = nil
            } else {
                self.stages = []
                self.twiddles = []
                self.bluestein = try BluesteinTransform(length: length)
            }
        }

        /// The plan for `length` from the process-wide cache.
        public static func shared(length: Int) throws -> ComplexPlan {
            try FFT.complexPlans.value(for: length) { try ComplexPlan(length: length) }
        }

        /// Transforms `batch` signals in place (see the type for the layout);
        /// the two arrays must hold `length · batch` values each. Up to
        /// `threads` threads share the batch (0 or less: one per core).
        public func forward(real: inout [Float], imaginary: inout [Float], batch: Int = 1,
                            threads: Int = 1) throws {
            try run(&real, &imaginary, batch: batch, threads: threads, inverse: false)
        }

        /// The inverse of `forward`, including the factor 1/length.
        public func inverse(real: inout [Float], imaginary: inout [Float], batch: Int = 1,
                            threads: Int = 1) throws {
            try run(&real, &imaginary, batch: batch, threads: threads, inverse: true)
        }

        private func run(_ real: inout [Float], _ imaginary: inout [Float], batch: Int,
                         threads: Int, inverse: Bool) throws {
            guard batch >= 1, real.count == length * batch, imaginary.count == length * batch else {
                throw RestoreError(.invalidArgument,
                    "an FFT of length \(length) over a batch of \(batch) needs \(length * batch) real and imaginary values, not \(real.count) and \(imaginary.count)")
            }
            let threads = FFT.threadCount(threads)
            var scratch = [Float](repeating: 0, count: scratchCount(batch: batch))
            let chunks = FFT.chunks(batch, threads: threads)
            let scale = 1 / Float(length)
            real.withUnsafeMutableBufferPointer { re in
                imaginary.withUnsafeMutableBufferPointer { im in
                    scratch.withUnsafeMutableBufferPointer { work in
                        let (re, im, work) = (re.baseAddress!, im.baseAddress!, work.baseAddress!)
                        parallelFor(chunks.count, threads: threads) { c in
                            let items = chunks[c]
                            // The inverse DFT is the forward one with real and
                            // imaginary parts exchanged on the way in and out.
                            if inverse {
                                transform(im, re, batch: batch, items: items, scratch: work)
                                for n in 0 ..< length {
                                    for b in items {
                                        re[n * batch + b] *= scale
                                        im[n * batch + b] *= scale
                                    }
                                }
                            } else {
                                transform(re, im, batch: batch, items: items, scratch: work)
                            }
                        }
                    }
                }
            }
        }

        /// Floats of scratch memory `transform` needs for a batch of `batch`.
        func scratchCount(batch: Int) -> Int {
            bluestein?.scratchCount(batch: batch) ?? 2 * length * batch
        }

        /// The unscaled forward transform, in place, of batch items `items`
        /// (threads may run disjoint item ranges concurrently on the same
        /// arrays and scratch). `scratch` holds `scratchCount(batch:)` floats.
        func transform(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>,
                       batch: Int, items: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
            if let bluestein {
                bluestein.transform(re, im, batch: batch, items: items, scratch: scratch)
                return
            }
            guard !stages.isEmpty else { return }
            let count = length * batch
            let (sr, si) = (scratch, scratch + count)
            twiddles.withUnsafeBufferPointer { table in
                // Passes alternate between the data and the scratch arrays.
                var inData = true
                for stage in stages {
                    if inData {
                        stage.apply(re, im, sr, si, batch: batch, items: items, table: table.baseAddress!)
                    } else {
                        stage.apply(sr, si, re, im, batch: batch, items: items, table: table.baseAddress!)
                    }
                    inData.toggle()
                }
                if !inData {
                    for n in 0 ..< length {
                        let row = n * batch
                        for b in items {
                            re[row + b] = sr[row + b]
                            im[row + b] = si[row + b]
                        }
                    }
                }
            }
        }
    }

    /// Splits `count` batch items into contiguous ranges, one per thread.
    static func chunks(_ count: Int, threads: Int) -> [Range<Int>] {
        let parts = max(1, min(count, threads))
        return (0 ..< parts).map { p in (p * count / parts) ..< ((p + 1) * count / parts) }
    }
}
