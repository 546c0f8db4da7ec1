/// Turns a restoration prompt into an ordered plan of restorers.
///
/// Stages run in the inverse of SPIRE's degradation order (blur → downsample →
/// noise → JPEG): dejpeg, denoise, upsample, deblur. Where a backend offers a
/// joint solver it replaces two stages: deblur-and-denoise, or upsample with
/// the stated blur, or upsample-and-denoise. Later stages are told how much
/// noise the earlier ones leave. "Remove all degradation" is one blind stage
/// when a backend has one and it enlarges or a model is chosen by name. For
/// each task the backends are asked in order of preference; the first that
/// has a restorer runs it.
public struct RestorationPlanner: Sendable {
    /// Backends in order of preference for `model = "auto"`.
    public let backends: [any RestorationBackend]

    public init(backends: [any RestorationBackend]) {
        self.backends = backends
    }

    /// The plan for `request`, carrying out `prompt` (its restoration prompt,
    /// parsed), on an image with `channels` colour channels (1 or 3).
    /// `jpegTables` are the input file's own tables, when it was a JPEG.
    ///
    /// Clauses that ask for an estimate (an empty prompt, a bare "Deblur",
    /// "Denoise" or "Dejpeg", "Remove all degradation" when no backend
    /// restores blindly) are filled in from `analysis`; without one the plan
    /// throws `needsAnalysis`. A filled-in prompt with nothing to remove (a
    /// clean image) gives a plan without stages.
    public func plan(_ prompt: RestorationPrompt, channels: Int, request: RestorationRequest = RestorationRequest(),
                     jpegTables: JPEGTables? = nil, analysis: DegradationAnalysis? = nil) throws -> RestorationPlan {
        try request.validate()
        if let generative = backends.first(where: { $0.isGenerative && $0.name == request.model.lowercased() }) {
            return try generativePlan(generative, prompt, channels: channels, request: request, jpegTables: jpegTables,
                                      analysis: analysis)
        }
        let candidates = try backends(for: request.model)
        func finished(_ stages: [PlannedStage], _ prompt: RestorationPrompt,
                      _ analysis: DegradationAnalysis? = nil) -> RestorationPlan {
            RestorationPlan(stages: stages, prompt: prompt, analysis: analysis, request: request,
                            inertOptions: inertOptions(of: request, in: stages))
        }
        if prompt.removeAllDegradation, Self.restoresBlindly(prompt, model: request.model),
           let stage = try blindStage(prompt, candidates, channels: channels, request: request) {
            return finished([stage], prompt)
        }
        // Before any analysis: no estimate gives the output size.
        if prompt.upsample == .estimate { throw RestorationPrompt.factorNeeded }
        var prompt = prompt
        var used: DegradationAnalysis?
        if let why = Self.estimateNeeded(prompt) {
            guard let analysis else { throw RestoreError(.needsAnalysis, why) }
            prompt = try analysis.filling(prompt)
            used = analysis
        }

        var stages: [PlannedStage] = []
        func add(_ task: RestorationTask) throws {
            guard try addJoint(task) else {
                throw RestoreError(.unsupported, "no installed backend can \(task.verb) (\(task))")
            }
        }
        /// Adds the task if some backend solves it, else nothing.
        func addJoint(_ task: RestorationTask) throws -> Bool {
            guard let stage = try stage(for: task, candidates, channels: channels, request: request) else { return false }
            stages.append(stage)
            return true
        }

        let blur = prompt.deblur?.value ?? 0
        let noise = prompt.denoise?.value ?? 0
        let quality = prompt.dejpeg?.value
        if let quality {
            try add(.dejpeg(quality: quality, tables: jpegTables))
        }
        let factor = prompt.upsample?.value ?? 1
        if blur > 0, noise > 0, factor == 1, try addJoint(.deblurDenoise(sigma: blur, noise: noise)) {
            return finished(stages, prompt, used)
        }
        if factor != 1, noise > 0, try addJoint(.upsampleDenoise(factor: factor, blur: blur, noise: noise)) {
            return finished(stages, prompt, used)
        }
        if noise > 0 {
            // A backend that cannot follow the profile removes the mid-grey σ.
            let profiled = prompt.denoiseProfile.map { RestorationTask.denoiseProfile(sigma: noise, profile: $0) }
            if try profiled.map(addJoint) != true { try add(.denoise(sigma: noise)) }
        }
        let residual = Self.residualNoise(afterDenoising: noise, dejpegQuality: quality)
        if factor != 1 {
            // The stated blur happened at the high resolution, before downsampling.
            if blur > 0, try addJoint(.upsample(factor: factor, blur: blur, noise: residual)) {
                return finished(stages, prompt, used)
            }
            try add(.upsample(factor: factor, blur: 0, noise: residual))
        }
        if blur > 0 { try add(.deblur(sigma: blur, noise: residual)) }
        return finished(stages, prompt, used)
    }

    /// The one-stage plan of a generative backend: the restoration prompt is
    /// planned (and filled in) with the other backends as "auto" would at full
    /// strength, and that plan becomes the structure the generative stage
    /// starts from and stays consistent with.
    private func generativePlan(_ generative: any RestorationBackend, _ prompt: RestorationPrompt, channels: Int,
                                request: RestorationRequest, jpegTables: JPEGTables?,
                                analysis: DegradationAnalysis?) throws -> RestorationPlan {
        var structureRequest = request
        structureRequest.model = "auto"
        structureRequest.strength = 1
        let structure = try RestorationPlanner(backends: backends.filter { !$0.isGenerative })
            .plan(prompt, channels: channels, request: structureRequest, jpegTables: jpegTables, analysis: analysis)
        guard let restorer = try generative.generativeRestorer(structure: structure, request: request,
                                                               channels: channels) else {
            throw RestoreError(.unsupported, "the model '\(generative.name)' cannot restore this image")
        }
        let size = structure.outputSize(width: 64, height: 64)
        let stage = PlannedStage(task: .generate(scale: Double(size.width) / 64), restorer: restorer,
                                 backend: generative.name, reads: generative.reads)
        return RestorationPlan(stages: [stage], prompt: structure.prompt, analysis: structure.analysis,
                               request: request, inertOptions: inertOptions(of: request, in: [stage]))
    }

    /// The noise a deblur or upsample stage must regularise for after the
    /// earlier stages: denoisers leave about 40 % of the noise they removed
    /// (as texture-like residue), and deblocking leaves an error that grows
    /// with the IJG quantiser scale (both measured, see bench/NOTES.md); a
    /// deconvolution told there is no noise amplifies that residue badly.
    static func residualNoise(afterDenoising noise: Double, dejpegQuality quality: Int?) -> Double {
        let denoised = 0.4 * noise
        let deblocked = quality.map { q in 0.008 * (q < 50 ? 50 / Double(q) : Double(100 - q) / 50) + 0.004 } ?? 0
        return (denoised * denoised + deblocked * deblocked).squareRoot()
    }

    /// Whether "Remove all degradation" goes to a blind restorer: when it
    /// enlarges, or a model is chosen by name. At the same size with the
    /// automatic choice the analysis writes the prompt instead, and restorers
    /// that follow its numbers (a noise profile included) remove what it
    /// found: a blind ×4 network resampled back costs about 240 s per
    /// megapixel on 2 cores and paints the picture.
    static func restoresBlindly(_ prompt: RestorationPrompt, model: String) -> Bool {
        let enlarges = prompt.upsample.map { $0 != .value(1) } ?? false
        return enlarges || !["", "auto"].contains(model.lowercased())
    }

    /// "Remove all degradation" as one blind stage that also enlarges by the
    /// stated factor (1 when none is stated); the stated clauses are within
    /// what it removes. Nil when no candidate restores blindly (the analyser
    /// must then fill the prompt in) or the factor is left to estimate.
    private func blindStage(_ prompt: RestorationPrompt, _ candidates: [any RestorationBackend], channels: Int,
                            request: RestorationRequest) throws -> PlannedStage? {
        let scale: Double
        switch prompt.upsample {
        case nil: scale = 1
        case .value(let factor): scale = factor
        case .estimate: return nil
        }
        return try stage(for: .blind(scale: scale), candidates, channels: channels, request: request)
    }

    /// The stage of the first candidate that covers `task`, nil when none does.
    /// Same-size stages are blended with their input at the request's strength.
    private func stage(for task: RestorationTask, _ candidates: [any RestorationBackend], channels: Int,
                       request: RestorationRequest) throws -> PlannedStage? {
        for backend in candidates {
            guard let restorer = try backend.restorer(for: task, request: request, channels: channels) else { continue }
            let sameSize = restorer.outputSize(width: 64, height: 64) == (64, 64)
            let blended = sameSize && request.strength < 1
                ? StrengthBlend(base: restorer, strength: Float(request.strength)) : restorer
            return PlannedStage(task: task, restorer: blended, backend: backend.name,
                                reads: backend.reads.union(sameSize ? [.strength] : []))
        }
        return nil
    }

    /// The stage options `request` changes from their defaults that no stage
    /// reads, grouped by why.
    func inertOptions(of request: RestorationRequest, in stages: [PlannedStage]) -> [InertOptions] {
        let read = stages.reduce(into: Set<RequestOption.ID>()) { $0.formUnion($1.reads) }
        let inert = request.changedOptions.filter { $0.scope == .stage && !read.contains($0.id) }
        guard !inert.isEmpty else { return [] }
        if stages.isEmpty { return [InertOptions(options: inert, reason: "there is nothing to restore")] }
        let installed = backends.reduce(into: Set<RequestOption.ID>()) { $0.formUnion($1.reads) }
        enum Why { case sizeChanging, notInstalled, notPlanned }
        let generative = stages.contains { $0.task.isGenerative }
        let why = inert.map { option -> Why in
            option.id == .strength && !generative ? .sizeChanging
                : installed.contains(option.id) ? .notPlanned : .notInstalled
        }
        return [Why.sizeChanging, .notInstalled, .notPlanned].compactMap { group in
            let options = zip(inert, why).filter { $0.1 == group }.map(\.0)
            guard !options.isEmpty else { return nil }
            let them = options.count == 1 ? "it" : "them"
            switch group {
            case .sizeChanging:
                return InertOptions(options: options,
                                    reason: "every stage here changes the image size, and only same-size stages blend")
            case .notInstalled:
                return InertOptions(options: options, reason: "no installed model reads \(them)")
            case .notPlanned:
                return InertOptions(options: options, reason: "the models this restoration uses do not read \(them)")
            }
        }
    }

    /// The backends `model` allows, in order of preference (generative ones
    /// only through `generativePlan`).
    private func backends(for model: String) throws -> [any RestorationBackend] {
        let backends = self.backends.filter { !$0.isGenerative }
        switch model.lowercased() {
        case "", "auto": return backends
        default:
            let chosen = backends.filter { $0.name == model.lowercased() }
            guard !chosen.isEmpty else {
                let names = (["auto"] + self.backends.map(\.name)).joined(separator: ", ")
                throw RestoreError(.model, "unknown model '\(model)'; available: \(names)")
            }
            // The chosen backend first; the classic floor covers what it cannot.
            return chosen + backends.filter { $0.name == "classic" && $0.name != model.lowercased() }
        }
    }

    /// Why `prompt` cannot be planned without estimates from the image, or nil
    /// when every clause states its strength.
    static func estimateNeeded(_ prompt: RestorationPrompt) -> String? {
        let analyse = "the whole image must be analysed first (or state the damage with numbers, "
            + "e.g. 'Denoise with sigma 0.05')"
        if prompt.isEmpty { return "an empty restoration prompt is estimated from the image: " + analyse }
        if prompt.removeAllDegradation {
            return "'Remove all degradation' at the same size (or without a learned model) is estimated from "
                + "the image: " + analyse
        }
        let bare = [("Deblur", prompt.deblur == .estimate), ("Denoise", prompt.denoise == .estimate),
                    ("Dejpeg", prompt.dejpeg == .estimate)]
        if let (verb, _) = bare.first(where: { $0.1 }) {
            return "'\(verb)' without a number is estimated from the image: " + analyse
        }
        return nil
    }
}
