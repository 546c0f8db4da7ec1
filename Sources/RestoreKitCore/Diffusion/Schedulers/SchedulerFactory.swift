/// The schedulers by name, each built from any diffusers scheduler configuration as
/// `XScheduler.from_config(config)` builds it: what a `--scheduler NAME` option offers.
public enum SchedulerFactory {
    /// The names `make` knows, in the order to list them.
    public static let names = ["ddim", "ddpm", "dpm++2m", "dpm++2m-karras", "euler", "euler-ancestral", "lcm", "pndm"]

    /// The scheduler `name` on `config` (a model's `scheduler/scheduler_config.json`).
    /// "dpm++2m-karras" is DPM-Solver++ 2M with `use_karras_sigmas` set, "pndm" PNDM
    /// with `skip_prk_steps` set (PLMS, as Stable Diffusion ships it); the others take
    /// the configuration as it is.
    public static func make(_ name: String, config: SchedulerConfig) throws -> any DiffusionScheduler {
        switch name {
        case "ddim": return try DDIMScheduler(config: config)
        case "ddpm": return try DDPMScheduler(config: config)
        case "dpm++2m": return try DPMSolverMultistepScheduler(config: config)
        case "dpm++2m-karras":
            return try DPMSolverMultistepScheduler(config: config.setting("use_karras_sigmas", .bool(true)))
        case "euler": return try EulerScheduler(config: config)
        case "euler-ancestral": return try EulerAncestralScheduler(config: config)
        case "lcm": return try LCMScheduler(config: config)
        case "pndm": return try PNDMScheduler(config: config.setting("skip_prk_steps", .bool(true)))
        default:
            throw RestoreError(.invalidArgument,
                               "unknown scheduler '\(name)'; expected one of \(names.joined(separator: ", "))")
        }
    }

    /// The name of the scheduler `config` was saved from (its `_class_name`), nil
    /// when that class is not one of these (SD 1.5 ships a PNDM configuration).
    public static func name(of config: SchedulerConfig) -> String? {
        switch config.className {
        case "DDIMScheduler": return "ddim"
        case "DDPMScheduler": return "ddpm"
        case "DPMSolverMultistepScheduler": return "dpm++2m"
        case "EulerDiscreteScheduler": return "euler"
        case "EulerAncestralDiscreteScheduler": return "euler-ancestral"
        case "LCMScheduler": return "lcm"
        case "PNDMScheduler": return try? config.flag("skip_prk_steps", default: false) == true ? "pndm" : nil
        default: return nil
        }
    }

    /// The scheduler `name` on the configuration file at `path`.
    public static func make(_ name: String, configPath path: String) throws -> any DiffusionScheduler {
        try make(name, config: SchedulerConfig.read(path))
    }
}
