import RestoreKitCore

// rkbench sd randn: torch's CPU normal draws from RestoreKit's TorchGenerator.

/// `rkbench sd randn`: draws each `--shape` in turn from one generator seeded with
/// `--seed`, as successive `torch.randn(shape, generator=g)` calls draw them.
let sdRandnCommand = SDCommand(
    usage: "[MODEL_DIR] --seed S --shape 1,4,64,64[:SHAPE…] --out F.npy — torch.randn with "
        + "torch.Generator().manual_seed(S) (S: 0 … 2^64−1); several ':'-separated shapes are drawn in turn "
        + "from the one generator and written one after another as a flat array (one shape keeps its shape)",
    run: { arguments in
        let seed = try arguments.seed()
        let shapes = try arguments.shapes("shape")
        let out = try arguments.required("out")
        let values: [Float] = try sdTimed(arguments) {
            var generator = TorchGenerator(seed: seed)
            return try shapes.flatMap { try generator.randn(shape: $0) }
        }
        let shape = shapes.count == 1 ? shapes[0] : [values.count]
        try NPYArray(shape: shape, values: values).write(to: out)
    })

extension SDArguments {
    /// `--seed`: a 64-bit seed as `manual_seed` takes it (default 0).
    func seed() throws -> UInt64 {
        guard let text = self["seed"] else { return 0 }
        guard let value = UInt64(text) else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --seed '\(text)' is not an integer 0 … 2^64−1")
        }
        return value
    }

    /// `--NAME 1,4,64,64[:…]`: one or more ':'-separated shapes of ','-separated sizes.
    func shapes(_ name: String) throws -> [[Int]] {
        let text = try required(name)
        return try text.split(separator: ":", omittingEmptySubsequences: false).map { part in
            let sides = part.split(separator: ",").map { Int($0) }
            guard !sides.isEmpty, sides.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw RestoreError(.invalidArgument, "rkbench sd \(command): --\(name) '\(text)' is not a list of shapes")
            }
            return sides.map { $0! }
        }
    }

    /// A number option, or `fallback` when absent.
    func real(_ name: String, default fallback: Double) throws -> Double {
        guard let text = self[name] else { return fallback }
        guard let value = Double(text), value.isFinite else {
            throw RestoreError(.invalidArgument, "rkbench sd \(command): --\(name) '\(text)' is not a number")
        }
        return value
    }
}
