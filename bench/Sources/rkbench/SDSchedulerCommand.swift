import RestoreKitCore

// rkbench sd scheduler / denoise: RestoreKit's diffusers schedulers on a model's
// scheduler configuration, driven with given model outputs so the parity tests can
// run diffusers on the same numbers.

/// `rkbench sd scheduler`: the timesteps a scheduler runs.
let sdSchedulerCommand = SDCommand(
    usage: "MODEL_DIR --scheduler NAME --steps N [--strength X] [--set KEY=VALUE,…] --out F.npy — the timesteps "
        + "(float32) that remain to run: all N, or for img2img those --strength X leaves; the scheduler "
        + "is built from MODEL_DIR/scheduler/scheduler_config.json with --set's keys replaced (VALUE is JSON, "
        + "or a bare string); NAME: \(SchedulerFactory.names.joined(separator: ", "))",
    run: { arguments in
        let out = try arguments.required("out")
        let timesteps = try sdTimed(arguments) { try arguments.scheduler().remainingTimesteps }
        try NPYArray(shape: [timesteps.count], values: timesteps.map { Float($0) }).write(to: out)
    })

/// `rkbench sd denoise`: the scheduler's part of a pipeline run, on given model outputs.
let sdDenoiseCommand = SDCommand(
    usage: "MODEL_DIR --scheduler NAME --steps N [--strength X] [--set KEY=VALUE,…] [--eta E] [--seed S] "
        + "(--shape 1,4,H,W | --image F.npy | --sample F.npy) --model-outputs F.npy --out F.npy "
        + "[--inputs-out F.npy] [--step-samples F.npy] — one torch generator seeded with S gives the starting latents (--shape: randn "
        + "times init_noise_sigma; --image: clean latents noised by add_noise with randn at the first remaining "
        + "timestep; --sample: taken as they are) and then every step's noise; step k (K = the first axis of "
        + "--model-outputs, at most the steps remaining) takes model output k; --out holds the K + 1 samples "
        + "(the start, then after each step), --inputs-out the K scaled UNet inputs; --step-samples [K, …]: step k starts from "
        + "its sample k instead of the previous step's result (each step checked on its own); --eta: DDIM's η",
    run: { arguments in
        let outputs = try NPYArray.read(try arguments.required("model-outputs"))
        guard outputs.shape.count >= 2, outputs.shape[0] >= 1 else {
            throw RestoreError(.invalidArgument, "rkbench sd denoise: --model-outputs must be [K, …sample shape]")
        }
        let shape = Array(outputs.shape.dropFirst())
        let count = shape.reduce(1, *)
        let steps = outputs.shape[0]
        let out = try arguments.required("out")
        let forced = try arguments["step-samples"].map { try NPYArray.read($0) }
        guard forced == nil || forced!.values.count == steps * count else {
            throw RestoreError(.invalidArgument, "rkbench sd denoise: --step-samples must be [K, …sample shape] "
                + "like --model-outputs")
        }
        let (samples, inputs) = try sdTimed(arguments) { () throws -> ([Float], [Float]) in
            var scheduler = try arguments.scheduler()
            if var ddim = scheduler as? DDIMScheduler {
                ddim.eta = Float(try arguments.real("eta", default: 0))
                scheduler = ddim
            }
            guard steps <= scheduler.remainingTimesteps.count else {
                throw RestoreError(.invalidArgument, "rkbench sd denoise: \(steps) model outputs for "
                    + "\(scheduler.remainingTimesteps.count) remaining steps")
            }
            var generator = TorchGenerator(seed: try arguments.seed())
            var sample = try arguments.startingLatents(scheduler, shape: shape, &generator)
            var samples = sample, inputs: [Float] = []
            for k in 0 ..< steps {
                if let forced { sample = Array(forced.values[k * count ..< (k + 1) * count]) }
                inputs += try scheduler.scaleModelInput(sample)
                let output = Array(outputs.values[k * count ..< (k + 1) * count])
                sample = try scheduler.step(modelOutput: output, sample: sample, generator: &generator)
                samples += sample
            }
            return (samples, inputs)
        }
        try NPYArray(shape: [steps + 1] + shape, values: samples).write(to: out)
        if let path = arguments["inputs-out"] {
            try NPYArray(shape: [steps] + shape, values: inputs).write(to: path)
        }
    })

extension SDArguments {
    /// The `--scheduler` on the model's configuration with `--set` applied, its
    /// timesteps set for `--steps` and, with `--strength`, for img2img.
    func scheduler() throws -> any DiffusionScheduler {
        var config = try SchedulerConfig.read(try model() + "/scheduler/scheduler_config.json")
        for assignment in (self["set"] ?? "").split(separator: ",") {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw RestoreError(.invalidArgument, "rkbench sd \(command): --set '\(assignment)' is not KEY=VALUE")
            }
            let text = String(assignment[assignment.index(after: equals)...])
            let value = (try? JSONValue.parse(Array(text.utf8))) ?? .string(text)
            config = config.setting(String(assignment[..<equals]), value)
        }
        var scheduler = try SchedulerFactory.make(try required("scheduler"), config: config)
        let steps = try integer("steps", default: 50)
        if self["strength"] != nil {
            try scheduler.setTimesteps(steps, strength: try real("strength", default: 1))
        } else {
            try scheduler.setTimesteps(steps)
        }
        return scheduler
    }

    /// The latents denoising starts from (see `sdDenoiseCommand`'s usage).
    func startingLatents(_ scheduler: any DiffusionScheduler, shape: [Int],
                         _ generator: inout TorchGenerator) throws -> [Float] {
        let count = shape.reduce(1, *)
        func read(_ name: String) throws -> [Float]? {
            guard let path = self[name] else { return nil }
            let array = try NPYArray.read(path)
            guard array.values.count == count else {
                throw RestoreError(.invalidArgument, "rkbench sd \(command): --\(name) has shape \(array.shape), "
                    + "the model outputs \(shape)")
            }
            return array.values
        }
        if let image = try read("image") {
            return try scheduler.addNoise(image, noise: generator.randn(count: count))
        }
        if let sample = try read("sample") { return sample }
        guard try shapes("shape") == [shape] else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --shape must match the model outputs' \(shape)")
        }
        let sigma = scheduler.initNoiseSigma
        return generator.randn(count: count).map { $0 * sigma }
    }
}
