extension FFT {
    /// The half spectrum of a real `width × height` plane, as `RealPlan2D`
    /// makes and consumes it.
    ///
    /// A real plane's spectrum is Hermitian, F(−kx, −ky) = conj F(kx, ky), so
    /// only the vertical frequencies ky = 0 … height/2 are kept, for every
    /// horizontal frequency kx = 0 ..< width. The layout is kx-major:
    /// `index(kx:ky:) = kx * rowLength + ky` with `rowLength = height/2 + 1`.
    /// Frequency kx stands for kx/width cycles per pixel (kx > width/2 for the
    /// negative ones, kx − width), ky for ky/height.
    ///
    /// Pointwise products and sums of spectra of real planes are again spectra
    /// of real planes; anything else given to `inverse` must keep the ky = 0
    /// (and, for even heights, ky = height/2) lines Hermitian in kx.
    public struct Spectrum2D: Sendable, Equatable {
        /// Width of the plane in pixels.
        public let width: Int
        /// Height of the plane in pixels.
        public let height: Int
        /// Real parts, `width * rowLength` of them.
        public var real: [Float]
        /// Imaginary parts, laid out like `real`.
        public var imaginary: [Float]

        /// A zero spectrum for a `width × height` plane.
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
            let count = width * (height / 2 + 1)
            real = [Float](repeating: 0, count: count)
            imaginary = [Float](repeating: 0, count: count)
        }

        /// Values stored per horizontal frequency: height/2 + 1.
        public var rowLength: Int { height / 2 + 1 }

        /// The position of frequency (`kx`, `ky`), kx < width, ky ≤ height/2.
        @inlinable
        public func index(kx: Int, ky: Int) -> Int { kx * (height / 2 + 1) + ky }
    }
}
