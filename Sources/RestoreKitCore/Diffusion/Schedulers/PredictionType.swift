/// What the UNet predicts (diffusers' `prediction_type`): the noise ε, the velocity
/// v = √ᾱ·ε − √(1 − ᾱ)·x₀ (SD 2.x 768 px models), or the clean sample x₀.
enum PredictionType: String, Sendable {
    case epsilon
    case velocity = "v_prediction"
    case sample

    /// The configuration's prediction type, among those the scheduler implements.
    static func read(_ config: SchedulerConfig, allowed: [PredictionType] = [.epsilon, .velocity, .sample])
        throws -> PredictionType {
        let name = try config.choice("prediction_type", default: "epsilon", allowed: allowed.map(\.rawValue))
        return PredictionType(rawValue: name)!
    }
}
