@testable import RestoreKitCore
import FuzzSupport

/// The diffusers configurations a model folder carries, read from disk as models
/// are: `config.json` as a UNet, ControlNet, VAE and CLIP text encoder would read it,
/// and as `scheduler_config.json` for every scheduler, which then sets the timesteps
/// (count from the second part) and steps through them on a small sample. A
/// configuration is refused with a message naming the file, or gives sizes in
/// range and a schedule of finite timesteps that keeps a finite sample finite.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = FuzzInput(data, size).parts(2)
    Scratch.write(parts[0], to: "config.json")
    // An empty weights file: the component folder is complete, the configuration is what is read.
    Scratch.write([2, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8), to: "diffusion_pytorch_model.safetensors")
    do {
        let component = try DiffusersComponent(path: Scratch.folder)
        readModelConfigurations(component)
    } catch {
        expectRefusal(error, of: "config.json", kinds: [.model])
    }
    let steps = Int(parts[1].first ?? 10)
    let config: SchedulerConfig
    do {
        config = try SchedulerConfig.read(Scratch.folder + "/config.json")
    } catch {
        expectRefusal(error, of: "scheduler_config.json", kinds: [.model])
        return 0
    }
    for name in SchedulerFactory.names {
        runSchedule(name, config: config, steps: steps)
    }
    return 0
}

private func readModelConfigurations(_ component: DiffusersComponent) {
    let kinds: [RestoreError.Kind] = [.model, .unsupported]
    for upBlocks in [true, false] {
        do {
            let c = try UNetConfiguration(component, upBlocks: upBlocks)
            precondition(c.blockChannels.allSatisfy { $0 > 0 && $0 % c.groups == 0 } && c.heads.allSatisfy { $0 > 0 },
                         "UNet configuration accepted with sizes \(c.blockChannels), heads \(c.heads)")
        } catch { expectRefusal(error, of: "UNet config.json", kinds: kinds) }
    }
    do {
        let c = try AutoencoderKL.Configuration(component)
        precondition(c.blockChannels.allSatisfy { $0 > 0 } && c.downscale > 0, "VAE configuration accepted with sizes \(c.blockChannels)")
    } catch { expectRefusal(error, of: "VAE config.json", kinds: kinds) }
    do {
        let c = try CLIPTextEncoder.Configuration(component)
        precondition(c.width > 0 && c.heads > 0 && c.width % c.heads == 0, "CLIP configuration accepted with width \(c.width), \(c.heads) heads")
    } catch { expectRefusal(error, of: "CLIP config.json", kinds: kinds) }
}

private func runSchedule(_ name: String, config: SchedulerConfig, steps: Int) {
    let kinds: [RestoreError.Kind] = [.model, .unsupported, .invalidArgument]
    do {
        var scheduler = try SchedulerFactory.make(name, config: config)
        try scheduler.setTimesteps(steps)
        precondition(!scheduler.timesteps.isEmpty && scheduler.timesteps.allSatisfy(\.isFinite),
                     "\(name): \(steps) steps give timesteps \(scheduler.timesteps)")
        precondition(scheduler.initNoiseSigma.isFinite, "\(name): initial noise σ \(scheduler.initNoiseSigma)")
        var generator = TorchGenerator(seed: 0)
        var sample: [Float] = [0.5, -0.25, 1, 0]
        for _ in scheduler.timesteps {
            let input = try scheduler.scaleModelInput(sample)
            sample = try scheduler.step(modelOutput: input.map { 0.1 * $0 }, sample: sample, generator: &generator)
            precondition(sample.allSatisfy(\.isFinite), "\(name): a step made a finite sample \(sample)")
        }
    } catch {
        expectRefusal(error, of: "\(name) scheduler", kinds: kinds)
    }
}
