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

extension PredictionType {
    /// The clean sample x₀ that `modelOutput` implies for `sample` at a step whose ᾱ
    /// is `alpha`, clipped to ±`clipRange` when given: diffusers' `pred_original_sample`.
    func original(_ modelOutput: [Float], _ sample: [Float], alphaCumprod alpha: Float,
                  clipRange: Float?) -> [Float] {
        let sqrtAlpha = alpha.squareRoot(), sqrtBeta = (1 - alpha).squareRoot()
        var original: [Float]
        switch self {
        case .epsilon: original = zip(sample, modelOutput).map { x, e in (x - sqrtBeta * e) / sqrtAlpha }
        case .velocity: original = zip(sample, modelOutput).map { x, v in sqrtAlpha * x - sqrtBeta * v }
        case .sample: original = modelOutput
        }
        if let clipRange { original = original.map { min(max($0, -clipRange), clipRange) } }
        return original
    }
}
