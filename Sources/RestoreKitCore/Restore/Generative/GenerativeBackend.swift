/// One imported generative model (`ImportedModel`) as a backend: chosen by its
/// name only (never by "auto"), it restores with its recipe in one whole-image
/// stage (`GenerativeRestorer`). The model is loaded on first use and kept.
public final class GenerativeBackend: RestorationBackend {
    public let model: ImportedModel
    let models: ModelDirectory
    /// The sampler `refine` runs: the one chosen at import, else the model's own
    /// scheduler when RestoreKit has it, else DDIM (SD 1.5 ships a PNDM configuration).
    let scheduler: String
    /// The sampler as the plan names it: "ddim (for the model's PNDMScheduler)" when it stands in.
    let schedulerLabel: String
    private let cache = KeyedCache<Int, LoadedModel>()

    struct LoadedModel: Sendable {
        let model: StableDiffusionModel
        let controlNet: ControlNet?
    }

    public init(model: ImportedModel, models: ModelDirectory) {
        self.model = model
        self.models = models
        let config = model.format == .diffusers
            ? try? SchedulerConfig.read(model.path + "/scheduler/scheduler_config.json") : nil
        let own = config.flatMap(SchedulerFactory.name(of:))
        scheduler = model.scheduler ?? own ?? "ddim"
        schedulerLabel = model.scheduler == nil && own == nil
            ? "\(scheduler) (for the model's \(config?.className ?? "unnamed scheduler"))" : scheduler
    }

    /// The backends of the models imported into `models` (none when its
    /// manifest is missing or damaged: `restorekit models list` reports that).
    public static func installed(in models: ModelDirectory) -> [GenerativeBackend] {
        ((try? GenerativeManifest(folder: models.path))?.models ?? []).map { GenerativeBackend(model: $0, models: models) }
    }

    public var name: String { model.name }
    public var isGenerative: Bool { true }

    public var reads: Set<RequestOption.ID> {
        switch model.recipe {
        case .oneStep: return [.semanticPrompt, .qualityPrompt, .fidelity]
        case .refine:
            return [.semanticPrompt, .qualityPrompt, .negativePrompt, .steps, .guidance, .seed, .strength, .fidelity]
        }
    }

    public func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
        nil
    }

    public func generativeRestorer(structure: RestorationPlan, request: RestorationRequest,
                                   channels: Int) throws -> (any Restorer)? {
        guard channels == 3 else {
            throw RestoreError(.unsupported, "the generative model '\(model.name)' restores colour images, not grey ones")
        }
        return GenerativeRestorer(backend: self, structure: structure, request: request)
    }

    /// The model and its ControlNet, loaded once.
    func loaded() throws -> LoadedModel {
        try cache.value(for: 0) {
            let (model, controlNet) = try model.load(models: models)
            return LoadedModel(model: model, controlNet: controlNet)
        }
    }
}
