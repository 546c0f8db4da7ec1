extension Image {
    /// A 64-bit hash of the samples (FNV-1a over their bit patterns), for
    /// recognising an input seen before; size and layout are not included.
    public var contentHash: UInt64 {
        samples.withUnsafeBufferPointer { samples in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for sample in samples { hash = (hash ^ UInt64(sample.bitPattern)) &* 0x0000_0100_0000_01b3 }
            return hash
        }
    }
}
