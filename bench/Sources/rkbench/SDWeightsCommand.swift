import RestoreKitCore

/// `rkbench sd weights FILE --component unet|vae|text_encoder --out DIR`: reads a
/// single-file Stable Diffusion checkpoint (LDM layout; .safetensors, .ckpt, .pt)
/// as RestoreKit's models would and writes, into the existing folder DIR, the
/// component's tensors as diffusers names them (`weights.safetensors`, float32,
/// each taken through the WeightStore with its shape checked), the inferred
/// `config.json`, and `scheduler_config.json`; prints the detected version.
/// Options for what the file cannot tell: `--prediction epsilon|v`,
/// `--image-size N`, `--unet-heads N` or `--unet-head-channels N`, `--text-heads N`.
func sdWeights(_ arguments: SDArguments) throws {
    let checkpoint = try SingleFileCheckpoint(path: arguments.model(), options: arguments.checkpointOptions())
    let component: SingleFileCheckpoint.Component
    switch try arguments.required("component") {
    case "unet": component = checkpoint.unet
    case "vae": component = checkpoint.vae
    case "text_encoder": component = checkpoint.textEncoder
    case let other: throw RestoreError(.invalidArgument, "rkbench sd weights: --component '\(other)' is not unet, vae or text_encoder")
    }
    var writer = SafeTensorsWriter()
    for name in component.weights.names {
        let shape = component.weights.shape(name) ?? []
        try writer.add(name, shape: shape, values: component.weights.take(name, shape: shape))
    }
    try component.weights.finish()
    let out = try arguments.required("out")
    try FileIO.writeAtomically(writer.bytes(), to: out + "/weights.safetensors")
    try FileIO.writeAtomically(Array((component.config.text + "\n").utf8), to: out + "/config.json")
    try FileIO.writeAtomically(Array((checkpoint.scheduler.text + "\n").utf8), to: out + "/scheduler_config.json")
    print(checkpoint.version.rawValue)
}
