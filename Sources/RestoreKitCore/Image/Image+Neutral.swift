extension Image {
    /// Whether this is an RGB(A) image whose three colour planes are identical:
    /// a gray picture stored as colour (what RGBA-only hosts hand over for gray
    /// layers). Its noise is the same in every channel, so it must be restored
    /// as gray, not as colour with independent noise per channel.
    public var isNeutralRGB: Bool {
        guard layout.colorChannelCount == 3 else { return false }
        let n = planeCount
        return samples.withUnsafeBufferPointer { s in
            for i in 0 ..< n where s[i] != s[n + i] || s[i] != s[2 * n + i] { return false }
            return true
        }
    }

    /// The first colour plane as a gray image (alpha dropped).
    public var firstPlaneAsGray: Image {
        Image(unchecked: width, height, .gray, encoding, Array(plane(0)))
    }

    /// A gray image's plane copied into R, G and B.
    public var replicatedToRGB: Image {
        precondition(layout == .gray, "replicatedToRGB needs a gray image")
        return Image(unchecked: width, height, .rgb, encoding, samples + samples + samples)
    }
}
