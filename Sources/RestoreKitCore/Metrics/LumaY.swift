/// BT.601 studio-range luma: the "Y channel" on which super-resolution papers
/// report PSNR and SSIM.
///
///     Y = 16/255 + (65.481 R + 128.553 G + 24.966 B) / 255,   R, G, B in [0, 1]
///
/// so Y spans [16/255, 235/255]. This is MATLAB's `rgb2ycbcr` on [0, 1] data and
/// BasicSR's `rgb2ycbcr(y_only=True)`. Y is kept in Double, not rounded to 8-bit
/// levels (MATLAB rounds only when its input is uint8). Gray images are not
/// converted: their samples already are luma (BasicSR's `to_y_channel` does the same).
public enum LumaY {
    /// The luma of one pixel with sRGB-encoded `red`, `green`, `blue` in [0, 1].
    @inlinable
    public static func value(red: Double, green: Double, blue: Double) -> Double {
        16.0 / 255.0 + (65.481 * red + 128.553 * green + 24.966 * blue) / 255.0
    }
}
