/// One draw of `CameraPipeline` applied: the image with its prompt and steps,
/// what was drawn, and the noise it carries.
public struct CameraDegradation: Sendable {
    /// The degraded image, its restoration prompt and the steps that replay it.
    public var result: SyntheticDegradation
    /// The camera draw.
    public var parameters: CameraPipeline.Parameters
    /// The JPEG quality, or nil when the draw did not compress.
    public var jpegQuality: Int?
    /// The noise as measured against the noise-free run.
    public var noise: CameraNoiseModel

    /// Everything above but the image, as one JSON object.
    public var json: String {
        func number(_ x: Double) -> String { x.plainDecimalDescription }
        let p = parameters
        let matrix = p.rgbToCamera.map(number).joined(separator: ", ")
        return "{\"prompt\": \(String(describing: result.prompt).jsonQuoted), "
            + "\"camera\": {\"rgb_to_camera\": [\(matrix)], \"red_gain\": \(number(p.redGain)), "
            + "\"blue_gain\": \(number(p.blueGain)), \"brightness\": \(number(p.brightness)), "
            + "\"shot_noise\": \(number(p.shotNoise)), \"read_noise\": \(number(p.readNoise)), "
            + "\"sharpening\": \(number(p.sharpening))}, "
            + "\"jpeg_quality\": \(jpegQuality.map(String.init) ?? "null"), \"noise\": \(noise.json)}"
    }
}
