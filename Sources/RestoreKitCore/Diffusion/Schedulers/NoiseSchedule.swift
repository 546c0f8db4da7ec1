#if canImport(Glibc)
import Glibc
#endif

/// The training noise schedule of a diffusers scheduler: βₜ for each of the
/// `num_train_timesteps` training steps and the cumulative products ᾱₜ = Π(1 − βₛ),
/// in float32 and computed as diffusers computes them with torch (linspace in
/// float32, the cumulative product accumulated in double), so every coefficient the
/// schedulers derive starts from the same bits.
struct NoiseSchedule: Sendable {
    /// ᾱₜ for t = 0 …, `num_train_timesteps` − 1.
    let alphasCumprod: [Float]

    var trainSteps: Int { alphasCumprod.count }

    /// The schedule of `config`, with this scheduler's defaults for missing keys.
    /// `terminalFloor`: the Euler and DPM-Solver schedulers replace a zero ᾱ at the
    /// last step (after `rescale_betas_zero_snr`) by 2⁻²⁴ so σ stays finite.
    init(_ config: SchedulerConfig, betaStart defaultStart: Double = 0.0001, betaEnd defaultEnd: Double = 0.02,
         betaSchedule defaultSchedule: String = "linear", terminalFloor: Bool) throws {
        let count = try config.integer("num_train_timesteps", default: 1000)
        guard count >= 2, count <= 100_000 else {
            throw config.unsupported("num_train_timesteps", .number(Double(count)), expected: "2 … 100000")
        }
        var betas: [Float]
        if let trained = try config.numbers("trained_betas") {
            guard trained.count == count else {
                throw config.unsupported("trained_betas", .array(trained.map(JSONValue.number)),
                                         expected: "\(count) values, one per training step")
            }
            betas = trained.map { Float($0) }
        } else {
            let start = try config.number("beta_start", default: defaultStart)
            let end = try config.number("beta_end", default: defaultEnd)
            switch try config.choice("beta_schedule", default: defaultSchedule,
                                     allowed: ["linear", "scaled_linear", "squaredcos_cap_v2"]) {
            case "linear":
                betas = ScheduleArithmetic.torchLinspace(Float(start), Float(end), count)
            case "scaled_linear":
                betas = ScheduleArithmetic.torchLinspace(Float(pow(start, 0.5)), Float(pow(end, 0.5)), count)
                    .map { $0 * $0 }
            default:
                betas = Self.cosineBetas(count)
            }
        }
        // Betas outside 0 … 1 make ᾱ negative or above 1, and its square roots NaN.
        // A β of 0 leaves ᾱ at 1, where the samplers divide 0 by 0 (diffusers gives NaN).
        guard betas.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw RestoreError(.model, "'\(config.source)': the noise schedule's betas must lie above 0 and at most 1 (see beta_start, beta_end, trained_betas)")
        }
        let rescale = try config.flag("rescale_betas_zero_snr", default: false)
        if try rescale && !terminalFloor && PredictionType.read(config) == .epsilon {
            throw config.unsupported("rescale_betas_zero_snr", .bool(true),
                                     expected: "false with ε-prediction (the last step's ᾱ of 0 leaves x₀ undefined); zero-SNR schedules need v_prediction")
        }
        if rescale { betas = Self.zeroTerminalSNR(betas) }
        var cumulative = Self.cumulativeProduct(betas.map { 1 - $0 })
        // The smallest ᾱ that is not 0 on purpose (zero-SNR rescaling's last one is): below
        // 1e-12 σ overflows float32 in the schedulers' products, and where the last ᾱ is
        // floored at 2⁻²⁴ the step before must stay above the floor, or σ would fall.
        let last = rescale ? count - 2 : count - 1
        let limit: Float = rescale && terminalFloor ? 0x1p-24 : 1e-12
        guard cumulative[last] >= limit else {
            throw RestoreError(.model, "'\(config.source)': the noise schedule's ᾱ falls to \(cumulative[last]) by step \(last + 1) of \(count), below \(limit) (see num_train_timesteps, the betas and rescale_betas_zero_snr)")
        }
        if rescale && terminalFloor { cumulative[count - 1] = 0x1p-24 }
        alphasCumprod = cumulative
    }

    /// σₜ = √((1 − ᾱₜ)/ᾱₜ), the noise level of each training step as the
    /// Euler-family schedulers define it (float32, as torch computes it).
    var sigmas: [Float] { alphasCumprod.map { ((1 - $0) / $0).squareRoot() } }

    /// Πₛ≤ₜ xₛ stored as float32, accumulated in double as torch's CPU `cumprod` does.
    static func cumulativeProduct(_ values: [Float]) -> [Float] {
        var product = 1.0
        return values.map { value in
            product *= Double(value)
            return Float(product)
        }
    }

    /// The "squaredcos_cap_v2" schedule: βₜ = min(1 − ᾱ(t+1)/ᾱ(t), 0.999) with
    /// ᾱ(t) = cos²((t/T + 0.008)/1.008 · π/2), in double, stored as float32.
    static func cosineBetas(_ count: Int) -> [Float] {
        func alphaBar(_ t: Double) -> Double { pow(cos((t + 0.008) / 1.008 * Double.pi / 2), 2) }
        return (0 ..< count).map { i in
            let t1 = Double(i) / Double(count), t2 = Double(i + 1) / Double(count)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
        }
    }

    /// Rescales β so the last step has zero signal-to-noise ratio (Lin et al. 2023):
    /// √ᾱ is shifted and scaled to end at 0 while keeping its first value.
    static func zeroTerminalSNR(_ betas: [Float]) -> [Float] {
        var root = cumulativeProduct(betas.map { 1 - $0 }).map { $0.squareRoot() }
        let first = root[0], last = root[root.count - 1]
        let scale = first / (first - last)
        root = root.map { ($0 - last) * scale }
        let bar = root.map { $0 * $0 }
        var alphas = [bar[0]]
        for i in 1 ..< bar.count { alphas.append(bar[i] / bar[i - 1]) }
        return alphas.map { 1 - $0 }
    }
}
