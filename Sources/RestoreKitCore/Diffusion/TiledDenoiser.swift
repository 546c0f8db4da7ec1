/// The UNet (and a ControlNet, when given) evaluated over overlapping latent
/// tiles whose predictions are blended (`LatentTiles`), with classifier-free
/// guidance: one denoising prediction for latents of any size, in the memory
/// of one tile.
struct TiledDenoiser {
    let model: StableDiffusionModel
    let controlNet: ControlNet?
    let tiles: LatentTiles
    let threads: Int

    /// The prediction for the planar latents `input` (`channels` planes of the
    /// tiles' size) at `timestep` attending to `context`; with `unconditional`,
    /// guided away from it as diffusers' pipelines guide:
    /// unconditional + guidance · (conditional − unconditional). `control` (0…1,
    /// the VAE's downscale times the latents' size) conditions the ControlNet.
    func predict(_ input: [Float], channels: Int, timestep: Float, context: Tensor, unconditional: Tensor?,
                 guidance: Float, control: Tensor?, controlScale: Float, meter: WorkMeter) throws -> [Float] {
        let downscale = model.vae.configuration.downscale
        var prediction = [Float](repeating: 0, count: input.count)
        for window in tiles.windows {
            let crop = try tiles.crop(input, channels: channels, window)
            let controlCrop = try control.map { try tiles.crop($0, scale: downscale, window) }
            let cost = Double(crop.height * crop.width) * (controlNet == nil ? 1 : 1.5)
            func evaluate(_ context: Tensor) throws -> [Float] {
                try meter.part(cost, kind: "unet") { tick in
                    let residuals = try controlNet.map {
                        try $0.residuals(crop, timestep: timestep, context: context, image: controlCrop!,
                                         scale: controlScale, threads: threads, onLayer: tick)
                    }
                    return try model.unet.predict(crop, timestep: timestep, context: context, control: residuals,
                                                  threads: threads, onLayer: tick).planar()
                }
            }
            var out = try evaluate(context)
            if let unconditional {
                let plain = try evaluate(unconditional)
                for i in out.indices { out[i] = plain[i] + guidance * (out[i] - plain[i]) }
            }
            tiles.accumulate(out, window, channels: channels, into: &prediction)
        }
        tiles.normalise(&prediction)
        return prediction
    }
}
