/// How a scheduler picks its inference timesteps among the training steps
/// (diffusers' `timestep_spacing`; see "Common Diffusion Noise Schedules and Sample
/// Steps are Flawed", table 2):
/// - `linspace`: evenly from 0 to T − 1, both ends included;
/// - `leading`: multiples of ⌊T/N⌋ from 0, shifted by `steps_offset`;
/// - `trailing`: evenly down from T − 1 in steps of T/N.
enum TimestepSpacing: String, Sendable {
    case linspace, leading, trailing

    /// The configuration's spacing, or `fallback` when it names none.
    static func read(_ config: SchedulerConfig, default fallback: TimestepSpacing) throws -> TimestepSpacing {
        let name = try config.choice("timestep_spacing", default: fallback.rawValue,
                                     allowed: ["linspace", "leading", "trailing"])
        return TimestepSpacing(rawValue: name)!
    }

    /// The timesteps for `steps` steps, first (noisiest) to last, as diffusers' DDPM,
    /// DDIM and Euler schedulers compute them for `trainSteps` training steps (trailing
    /// spacing: one more for some counts, see `indexTimesteps`). `roundLinspace`: DDPM
    /// and DDIM round `linspace` timesteps to integers; the Euler schedulers keep them
    /// fractional (in float32).
    func timesteps(trainSteps: Int, steps: Int, offset: Int, roundLinspace: Bool) -> [Double] {
        switch self {
        case .linspace:
            let values = ScheduleArithmetic.linspace(0, Double(trainSteps - 1), steps)
            return values.reversed().map { roundLinspace ? ScheduleArithmetic.round($0) : Double(Float($0)) }
        case .leading:
            let ratio = trainSteps / steps
            return (0 ..< steps).reversed().map { Double($0 * ratio + offset) }
        case .trailing:
            let ratio = Double(trainSteps) / Double(steps)
            return ScheduleArithmetic.arange(Double(trainSteps), 0, -ratio).map { ScheduleArithmetic.round($0) - 1 }
        }
    }

    /// The integer timesteps DDPM and DDIM index ᾱ with: `timesteps` with `linspace`
    /// rounded, and exactly `steps` of them. Trailing spacing can give one more (numpy's
    /// arange length, e.g. 61 of 1000 steps), a timestep of −1 that diffusers uses to index
    /// ᾱ from the end; the Euler schedulers keep it, interpolating σ there as diffusers does.
    func indexTimesteps(trainSteps: Int, steps: Int, offset: Int) -> [Double] {
        Array(timesteps(trainSteps: trainSteps, steps: steps, offset: offset, roundLinspace: true).prefix(steps))
    }
}
