/// Colour planes of one size, stored plane after plane: the working form of the
/// denoiser (opponent colour or gray), whose values may leave [0, 1].
struct PlaneStack: Sendable {
    let width: Int
    let height: Int
    let channels: Int
    var samples: [Float]

    /// Zero-filled planes.
    init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
        samples = [Float](repeating: 0, count: width * height * channels)
    }

    var planeCount: Int { width * height }
}
