/// ncnn `Eltwise`: the element-wise product (op 0), weighted sum (op 1,
/// parameter 1 the coefficients, one per input; none means all 1) or maximum
/// (op 2) of same-shape inputs.
struct EltwiseLayer: Layer {
    enum Operation: Int { case product = 0, sum = 1, maximum = 2 }

    private let operation: Operation
    private let coefficients: [Float]

    init(params: ParamDict, weights: inout ModelBinReader) throws {
        guard let op = Operation(rawValue: params.int(0, 0)) else {
            throw RestoreError(.model, "Eltwise operation \(params.int(0, 0)) is not 0 (product), 1 (sum) or 2 (max)")
        }
        operation = op
        coefficients = params.array(1).map(Float.init)
    }

    var blobCounts: (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) { (1 ... Int.max, 1 ... 1) }

    /// For a two-input sum, the weights of the first and second input (what a
    /// convolution can fold in as a `ResidualSum`); nil otherwise.
    var pairSumWeights: (first: Float, second: Float)? {
        guard operation == .sum else { return nil }
        if coefficients.isEmpty { return (1, 1) }
        return coefficients.count == 2 ? (coefficients[0], coefficients[1]) : nil
    }

    func forward(_ inputs: inout [Tensor], context: ForwardContext) throws -> [Tensor] {
        for t in inputs.dropFirst() where !t.hasShape(of: inputs[0]) {
            throw shapeError("Eltwise inputs differ in shape: \(inputs[0].shapeDescription) and \(t.shapeDescription)")
        }
        if operation == .sum, !coefficients.isEmpty, coefficients.count != inputs.count {
            throw shapeError("Eltwise has \(coefficients.count) coefficients for \(inputs.count) inputs")
        }
        // The result goes into the first input when nothing else holds it.
        let out = inputs[0].isUniquelyReferenced() ? inputs[0] : try Tensor(height: inputs[0].height,
                                                                             width: inputs[0].width,
                                                                             channels: inputs[0].channels)
        let sources = inputs.map { UnsafePointer($0.pointer) }
        let weights = operation == .sum && !coefficients.isEmpty ? coefficients : nil
        let op = operation
        WorkSplit.forEachRange(out.count, threads: context.threads) { range in
            let dst = out.pointer
            for i in range {
                var v = weights.map { sources[0][i] * $0[0] } ?? sources[0][i]
                for k in 1 ..< sources.count {
                    let x = sources[k][i]
                    switch op {
                    case .product: v *= x
                    case .sum: v += weights.map { x * $0[k] } ?? x
                    case .maximum: v = max(v, x)
                    }
                }
                dst[i] = v
            }
        }
        return [out]
    }
}
