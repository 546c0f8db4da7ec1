/// A network loaded from an ncnn `.param`/`.bin` pair, ready to run.
///
/// Loading parses the description, creates every layer and reads its weights
/// in file order (converting float16 weights exactly), and checks that the
/// weights file is consumed exactly. Running executes the layers the
/// requested output depends on, in file order, and frees each blob right
/// after its last consumer, so peak memory is the largest set of blobs alive
/// at once rather than all of them; freed buffers go to the network's
/// `TensorPool` for the next layers and passes. Data-movement layers are folded away where
/// they only feed a convolution or follow one (`ExecutionPlan`).
///
/// Immutable once loaded; `forward` may run on several threads at once.
public final class Network: Sendable {
    struct Node: Sendable {
        let type: String
        let name: String
        let layer: (any Layer)?
        let bottoms: [Int]
        let tops: [Int]
    }

    /// Where the network came from, for messages.
    public let source: String
    private let nodes: [Node]
    private let blobNames: [String]
    private let blobIndex: [String: Int]
    /// Input blobs (the tops of `Input` layers) and their declared channel counts (0: any).
    private let inputs: [(blob: Int, channels: Int)]
    /// The buffers of finished tensors, for the next ones (this and later passes).
    private let pool = TensorPool()

    /// Loads `param` (the `.param` text) and `weights` (the `.bin` bytes).
    /// Throws `RestoreError(.model, …)` naming the file, line or byte offset
    /// and the layer for anything malformed, unknown or inconsistent.
    public convenience init(param: String, weights: [UInt8], paramFile: String, weightsFile: String) throws {
        let description = try NCNNParamFile(text: param, file: paramFile)
        var reader = ModelBinReader(bytes: weights, file: weightsFile)
        var graph = NetworkGraph()
        for line in description.layers {
            let at = "\(paramFile): line \(line.line): layer '\(line.name)' (\(line.type))"
            if line.type == "Input" {
                guard line.bottoms.isEmpty, line.tops.count == 1 else {
                    throw RestoreError(.model, "\(at): an Input layer has no inputs and one output")
                }
                graph.input(line.tops[0], channels: line.params.int(2, 0), name: line.name)
                continue
            }
            guard let type = LayerRegistry.types[line.type] else {
                throw RestoreError(.model, "\(at): unknown layer type '\(line.type)' (supported: Input, \(LayerRegistry.types.keys.sorted().joined(separator: ", ")))")
            }
            reader.layer = line.name
            let layer: any Layer
            do {
                layer = try type.init(params: line.params, weights: &reader)
            } catch let error as RestoreError where error.message.hasPrefix(weightsFile) {
                throw error
            } catch let error as RestoreError {
                throw RestoreError(error.kind, "\(at): \(error.message)")
            }
            try graph.add(layer, type: line.type, name: line.name, bottoms: line.bottoms, tops: line.tops, at: at)
        }
        guard reader.isAtEnd else {
            throw RestoreError(.model, "\(weightsFile): \(reader.size - reader.offset) bytes left over after the last layer's weights at byte offset \(reader.offset) (weights of another network?)")
        }
        try self.init(graph, source: paramFile)
    }

    /// The network `graph` describes; `source` names it in messages.
    init(_ graph: NetworkGraph, source: String) throws {
        guard !graph.inputs.isEmpty else { throw RestoreError(.model, "\(source): the network has no Input layer") }
        self.source = source
        nodes = graph.nodes
        blobNames = graph.blobNames
        blobIndex = graph.blobIndex
        inputs = graph.inputs
    }

    /// Loads `<path>.param` and `<path>.bin` (pass the path without extension).
    public convenience init(path: String) throws {
        let paramBytes: [UInt8], weightBytes: [UInt8]
        do {
            paramBytes = try FileIO.read(path + ".param")
            weightBytes = try FileIO.read(path + ".bin")
        } catch let error as RestoreError {
            throw RestoreError(.model, error.message)
        }
        try self.init(param: String(decoding: paramBytes, as: UTF8.self), weights: weightBytes,
                      paramFile: path + ".param", weightsFile: path + ".bin")
    }

    /// The names of the input blobs, in file order.
    public var inputNames: [String] { inputs.map { blobNames[$0.blob] } }

    /// The blob the first layer of type `type` reads (its first input), if any.
    public func firstInput(ofLayerType type: String) -> String? {
        nodes.first { $0.type == type && !$0.bottoms.isEmpty }.map { blobNames[$0.bottoms[0]] }
    }

    /// Runs the network: `inputs` maps blob names to tensors (the `Input`
    /// layers' blobs, or any intermediate blob to start from there); returns
    /// the blob `output`. `threads` workers share each layer. `progress` is
    /// called before each layer with the fraction of the work done and may
    /// throw to stop (cancellation). `statistics`, when given, receives the
    /// multiply-adds and seconds of the convolution layers.
    public func forward(_ inputs: [String: Tensor], output: String, threads: Int,
                        progress: ((Double) throws -> Void)? = nil,
                        statistics: NetworkStatistics? = nil) throws -> Tensor {
        guard let requested = blobIndex[output] else { throw RestoreError(.model, "\(source): no blob named '\(output)'") }
        BLAS.useCallingThreadOnly()
        var blobs = [Tensor?](repeating: nil, count: blobNames.count)
        for (name, tensor) in inputs {
            guard let blob = blobIndex[name] else { throw RestoreError(.invalidArgument, "\(source): no blob named '\(name)'") }
            if let channels = self.inputs.first(where: { $0.blob == blob })?.channels, channels > 0, tensor.channels != channels {
                throw RestoreError(.invalidArgument, "\(source): input '\(name)' needs \(channels) channels, not \(tensor.channels)")
            }
            blobs[blob] = tensor
        }
        let plan = try ExecutionPlan(nodes: nodes, names: blobNames, target: requested, given: blobs.map { $0 != nil },
                                     source: source)
        let workspace = Workspace(workers: threads, pool: pool)
        let previousPool = TensorPool.current
        TensorPool.current = pool
        let pass = pool.beginPass()
        defer {
            TensorPool.current = previousPool
            pool.endPass(pass)
        }
        let total = plan.steps.reduce(0) { $0 + $1.weight }
        var done = 0.0
        for step in plan.steps {
            try progress?(total > 0 ? done / total : 0)
            let node = nodes[step.node]
            var arguments = step.reads.map { blobs[$0]! }
            let residual = step.residual.map {
                ResidualSum(tensor: blobs[$0.blob]!, outputScale: $0.outputScale, residualScale: $0.residualScale)
            }
            for b in step.reads + (step.residual.map { [$0.blob] } ?? []) where plan.lastUse[b] == step.index && b != plan.target {
                blobs[b] = nil
            }
            let context = ForwardContext(threads: threads, workspace: workspace, outputCount: node.tops.count)
            let start = statistics != nil ? monotonicSeconds() : 0
            let macs = statistics != nil ? node.layer!.multiplyAdds(inputs: arguments) : 0
            let results: [Tensor]
            do {
                if let convolution = node.layer as? ConvolutionLayer {
                    results = [try convolution.forward(parts: arguments, keepTransforms: step.keep, residual: residual,
                                                       context: context)]
                } else {
                    results = try node.layer!.forward(&arguments, context: context)
                }
            } catch let error as RestoreError {
                throw RestoreError(error.kind == .outOfMemory ? .outOfMemory : .model,
                                   "\(source): layer '\(node.name)' (\(node.type)): \(error.message)")
            }
            if let statistics { statistics.record(layer: node.name, type: node.type, multiplyAdds: macs,
                                                  seconds: monotonicSeconds() - start) }
            for (top, tensor) in zip(node.tops, results) where plan.lastUse[top] != nil || top == plan.target {
                blobs[top] = tensor
            }
            done += step.weight
        }
        try progress?(1)
        guard let result = blobs[plan.target] else { throw RestoreError(.model, "\(source): blob '\(output)' was not computed") }
        return result
    }
}

/// The order in which one forward pass runs the layers a requested blob
/// depends on, with the data-movement layers folded away:
/// - `Split` runs not at all: its outputs are names for its input;
/// - a channel `Concat` read by a single `Convolution` becomes that
///   convolution's list of parts;
/// - a two-input `Eltwise` sum whose one input is a `Convolution` output read
///   by nothing else becomes that convolution's `ResidualSum`.
/// Each blob's last reader is recorded so it can be freed right after.
struct ExecutionPlan {
    struct Step {
        /// Position in `steps`.
        let index: Int
        let node: Int
        /// Blobs read (a folded Concat's parts in place of its output).
        let reads: [Int]
        /// For convolutions: whether each read is read again by a later convolution.
        let keep: [Bool]
        let residual: (blob: Int, outputScale: Float, residualScale: Float)?
        /// Share of the work, for progress.
        let weight: Double
    }

    private(set) var steps: [Step] = []
    /// The step index of each blob's last reader.
    private(set) var lastUse: [Int: Int] = [:]
    /// The blob holding the requested output (after resolving names).
    let target: Int

    init(nodes: [Network.Node], names: [String], target requested: Int, given: [Bool], source: String) throws {
        var producer = [Int: Int]()
        for (i, node) in nodes.enumerated() { for top in node.tops { producer[top] = i } }
        // Layers needed, walking back from the target; given blobs stop the walk.
        var needed = Set<Int>(), stack = [requested]
        while let blob = stack.popLast() {
            guard !given[blob] else { continue }
            guard let p = producer[blob] else { throw RestoreError(.model, "\(source): blob '\(names[blob])' has no producer") }
            if nodes[p].layer == nil { throw RestoreError(.invalidArgument, "\(source): input '\(names[blob])' was not given") }
            if needed.insert(p).inserted { stack.append(contentsOf: nodes[p].bottoms) }
        }
        var alias = [Int: Int]()
        func root(_ b: Int) -> Int {
            var r = b
            while let next = alias[r] { r = next }
            return r
        }
        for i in needed.sorted() where nodes[i].layer is SplitLayer {
            for top in nodes[i].tops { alias[top] = root(nodes[i].bottoms[0]) }
        }
        var readers = [Int: [Int]]()
        for i in needed.sorted() where !(nodes[i].layer is SplitLayer) {
            for b in nodes[i].bottoms { readers[root(b), default: []].append(i) }
        }
        let target = root(requested)
        var removed = Set<Int>(), foldedConcat = [Int: Int]()
        var residuals = [Int: (blob: Int, outputScale: Float, residualScale: Float)]()
        for i in needed.sorted() where nodes[i].layer is ConvolutionLayer {
            let b = root(nodes[i].bottoms[0])
            guard let c = producer[b], needed.contains(c), let concat = nodes[c].layer as? ConcatLayer, concat.joinsChannels,
                  b != target, readers[b] == [i] else { continue }
            removed.insert(c)
            foldedConcat[i] = c
        }
        for i in needed.sorted() {
            guard let sum = (nodes[i].layer as? EltwiseLayer)?.pairSumWeights, nodes[i].bottoms.count == 2 else { continue }
            let inputs = nodes[i].bottoms.map(root)
            for k in 0 ..< 2 {
                let convolutionOutput = inputs[k], other = inputs[1 - k]
                guard let p = producer[convolutionOutput], nodes[p].layer is ConvolutionLayer, residuals[p] == nil,
                      convolutionOutput != target, readers[convolutionOutput] == [i], convolutionOutput != other,
                      given[other] || (producer[other].map { $0 < p } ?? false) else { continue }
                let scales = k == 0 ? (sum.first, sum.second) : (sum.second, sum.first)
                residuals[p] = (other, scales.0, scales.1)
                removed.insert(i)
                alias[nodes[i].tops[0]] = convolutionOutput
                break
            }
        }
        self.target = root(requested)
        var convolutionReads: [(step: Int, blobs: [Int])] = []
        for i in needed.sorted() where !removed.contains(i) && !(nodes[i].layer is SplitLayer) {
            let reads = (foldedConcat[i].map { nodes[$0].bottoms } ?? nodes[i].bottoms).map(root)
            let index = steps.count
            for b in reads { lastUse[b] = index }
            if let r = residuals[i] { lastUse[r.blob] = index }
            let isConvolution = nodes[i].layer is ConvolutionLayer
            if isConvolution { convolutionReads.append((index, reads)) }
            let weight = isConvolution || nodes[i].layer is DeconvolutionLayer ? 1.0 : 0.05
            steps.append(Step(index: index, node: i, reads: reads, keep: [], residual: residuals[i], weight: weight))
        }
        // A convolution keeps an input's transform when a later convolution reads the same blob.
        for (n, entry) in convolutionReads.enumerated() {
            let later = Set(convolutionReads[(n + 1)...].flatMap(\.blobs))
            let s = steps[entry.step]
            steps[entry.step] = Step(index: s.index, node: s.node, reads: s.reads, keep: s.reads.map(later.contains),
                                     residual: s.residual, weight: s.weight)
        }
    }
}

/// Multiply-adds and time of the convolution-type layers of forward passes,
/// and the time of every layer run.
public final class NetworkStatistics: @unchecked Sendable {
    /// One layer run: its name and type in the `.param` file, its multiply-adds
    /// (counted as direct convolution; 0 for layers without weights) and seconds.
    public struct LayerRun: Sendable {
        public let name: String
        public let type: String
        public let multiplyAdds: Double
        public let seconds: Double
    }

    private let lock = Lock()
    private var macs = 0.0
    private var time = 0.0
    private var runs: [LayerRun] = []

    public init() {}

    func record(layer: String, type: String, multiplyAdds: Double, seconds: Double) {
        lock.withLock {
            if multiplyAdds > 0 {
                macs += multiplyAdds
                time += seconds
            }
            runs.append(LayerRun(name: layer, type: type, multiplyAdds: multiplyAdds, seconds: seconds))
        }
    }

    /// The layers run, in order (folded layers do not appear).
    public var layers: [LayerRun] { lock.withLock { runs } }

    /// Multiply-adds counted as direct convolution.
    public var multiplyAdds: Double { lock.withLock { macs } }
    /// Seconds spent in those layers.
    public var seconds: Double { lock.withLock { time } }
}
