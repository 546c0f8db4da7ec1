/// Which samples PSNR and SSIM compare.
public enum MetricChannels: Sendable, Equatable, CaseIterable {
    /// Every colour channel: R, G and B, or the one gray channel. Alpha is ignored.
    /// SSIM is the mean of the per-channel values (scikit-image's `channel_axis`).
    case color
    /// The BT.601 luma of `LumaY`, the "Y channel" super-resolution papers report.
    /// Gray images are already luma and are compared as they are.
    case lumaY
}
