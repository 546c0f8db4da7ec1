/// A network loaded from an ncnn `.param`/`.bin` pair, ready to run.
///
/// Loading parses the description, creates every layer and reads its weights
/// in file order (converting float16 weights exactly), and checks that the
/// weights file is consumed exactly. Running executes the layers the
/// requested output depends on, in file order, and frees each blob right
/// after its last consumer, so peak memory is the largest set of blobs alive
/// at once rather than all of them. A `Concat` along channels whose only
/// consumer is a `Convolution` is not materialised: the convolution reads its
/// parts directly.
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

    /// Loads `param` (the `.param` text) and `weights` (the `.bin` bytes).
    /// Throws `RestoreError(.model, …)` naming the file, line or byte offset
    /// and the layer for anything malformed, unknown or inconsistent.
    public init(param: String, weights: [UInt8], paramFile: String, weightsFile: String) throws {
        let description = try NCNNParamFile(text: param, file: paramFile)
        var reader = ModelBinReader(bytes: weights, file: weightsFile)
        var names: [String] = [], index: [String: Int] = [:]
        func blob(_ name: String) -> Int {
            if let i = index[name] { return i }
            index[name] = names.count
            names.append(name)
            return names.count - 1
        }
        var nodes: [Node] = [], inputs: [(Int, Int)] = []
        for line in description.layers {
            let at = "\(paramFile): line \(line.line): layer '\(line.name)' (\(line.type))"
            let bottoms = line.bottoms.map(blob), tops = line.tops.map(blob)
            if line.type == "Input" {
                guard bottoms.isEmpty, tops.count == 1 else { throw RestoreError(.model, "\(at): an Input layer has no inputs and one output") }
                inputs.append((tops[0], line.params.int(2, 0)))
                nodes.append(Node(type: line.type, name: line.name, layer: nil, bottoms: [], tops: tops))
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
            let counts = layer.blobCounts
            guard counts.inputs.contains(bottoms.count), counts.outputs.contains(tops.count) else {
                throw RestoreError(.model, "\(at): takes \(counts.inputs) inputs and \(counts.outputs) outputs, the line gives \(bottoms.count) and \(tops.count)")
            }
            nodes.append(Node(type: line.type, name: line.name, layer: layer, bottoms: bottoms, tops: tops))
        }
        guard reader.isAtEnd else {
            throw RestoreError(.model, "\(weightsFile): \(reader.size - reader.offset) bytes left over after the last layer's weights at byte offset \(reader.offset) (weights of another network?)")
        }
        guard !inputs.isEmpty else { throw RestoreError(.model, "\(paramFile): the network has no Input layer") }
        source = paramFile
        self.nodes = nodes
        blobNames = names
        blobIndex = index
        self.inputs = inputs
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

    /// Runs the network: `inputs` maps input blob names to tensors; returns
    /// the blob `output`. `threads` workers share each layer. `progress` is
    /// called before each layer with the fraction of multiply-adds done and
    /// may throw to stop (cancellation). `statistics`, when given, receives
    /// the multiply-adds and seconds of the convolution layers.
    public func forward(_ inputs: [String: Tensor], output: String, threads: Int,
                        progress: ((Double) throws -> Void)? = nil,
                        statistics: NetworkStatistics? = nil) throws -> Tensor {
        guard let target = blobIndex[output] else { throw RestoreError(.model, "\(source): no blob named '\(output)'") }
        BLAS.useCallingThreadOnly()
        var blobs = [Tensor?](repeating: nil, count: blobNames.count)
        for (blob, channels) in self.inputs {
            guard let tensor = inputs[blobNames[blob]] else { continue }
            guard channels <= 0 || tensor.channels == channels else {
                throw RestoreError(.invalidArgument, "\(source): input '\(blobNames[blob])' needs \(channels) channels, not \(tensor.channels)")
            }
            blobs[blob] = tensor
        }
        let plan = try schedule(for: target, given: blobs)
        let workspace = Workspace(workers: threads)
        let total = plan.steps.reduce(0) { $0 + $1.weight }
        var done = 0.0
        for step in plan.steps {
            try progress?(total > 0 ? done / total : 0)
            let node = nodes[step.node]
            var arguments: [Tensor] = []
            for b in step.reads {
                arguments.append(blobs[b]!)
                if plan.lastUse[b] == step.node && b != target { blobs[b] = nil }
            }
            let context = ForwardContext(threads: threads, workspace: workspace, outputCount: node.tops.count)
            let start = statistics != nil ? monotonicSeconds() : 0
            let macs = statistics != nil ? node.layer!.multiplyAdds(inputs: arguments) : 0
            let results: [Tensor]
            do {
                if step.concatenated, let convolution = node.layer as? ConvolutionLayer {
                    results = [try convolution.forward(concatenated: arguments, context: context)]
                } else {
                    results = try node.layer!.forward(&arguments, context: context)
                }
            } catch let error as RestoreError {
                throw RestoreError(error.kind == .outOfMemory ? .outOfMemory : .model,
                                   "\(source): layer '\(node.name)' (\(node.type)): \(error.message)")
            }
            if let statistics, macs > 0 { statistics.record(multiplyAdds: macs, seconds: monotonicSeconds() - start) }
            for (top, tensor) in zip(node.tops, results) where plan.lastUse[top] != nil || top == target {
                blobs[top] = tensor
            }
            done += step.weight
        }
        try progress?(1)
        guard let result = blobs[target] else { throw RestoreError(.model, "\(source): blob '\(output)' was not computed") }
        return result
    }

    /// One layer to run: which blobs it reads (a folded Concat's parts in
    /// place of its output) and its share of the work.
    private struct Step {
        let node: Int
        let reads: [Int]
        let concatenated: Bool
        let weight: Double
    }

    /// The layers `target` needs, in order, with Concat→Convolution folding and
    /// each blob's last reader.
    private func schedule(for target: Int, given blobs: [Tensor?]) throws -> (steps: [Step], lastUse: [Int: Int]) {
        var producer = [Int: Int]()
        for (i, node) in nodes.enumerated() { for top in node.tops { producer[top] = i } }
        var readers = [Int: [Int]]()
        for (i, node) in nodes.enumerated() { for b in node.bottoms { readers[b, default: []].append(i) } }
        // Layers needed, walking back from the target; given blobs stop the walk.
        var needed = Set<Int>(), stack = [target]
        while let blob = stack.popLast() {
            guard blobs[blob] == nil else { continue }
            guard let p = producer[blob] else { throw RestoreError(.model, "\(source): blob '\(blobNames[blob])' has no producer") }
            if nodes[p].layer == nil {
                throw RestoreError(.invalidArgument, "\(source): input '\(blobNames[blob])' was not given")
            }
            if needed.insert(p).inserted { stack.append(contentsOf: nodes[p].bottoms) }
        }
        var folded = Set<Int>()
        for i in needed where nodes[i].layer is ConvolutionLayer {
            let b = nodes[i].bottoms[0]
            guard let c = producer[b], needed.contains(c), nodes[c].layer is ConcatLayer, b != target,
                  (readers[b] ?? []).count == 1, (nodes[c].layer as? ConcatLayer)?.joinsChannels == true else { continue }
            folded.insert(c)
        }
        var steps: [Step] = [], lastUse = [Int: Int]()
        for i in needed.sorted() where !folded.contains(i) {
            let node = nodes[i]
            var reads: [Int] = [], concatenated = false
            for b in node.bottoms {
                if let c = producer[b], folded.contains(c) {
                    reads.append(contentsOf: nodes[c].bottoms)
                    concatenated = true
                } else {
                    reads.append(b)
                }
            }
            for b in reads { lastUse[b] = i }
            let weight = node.type == "Convolution" || node.type == "Deconvolution" ? 1.0 : 0.05
            steps.append(Step(node: i, reads: reads, concatenated: concatenated, weight: weight))
        }
        return (steps, lastUse)
    }
}

/// Multiply-adds and time of the convolution-type layers of forward passes.
public final class NetworkStatistics: @unchecked Sendable {
    private let lock = Lock()
    private var macs = 0.0
    private var time = 0.0

    public init() {}

    func record(multiplyAdds: Double, seconds: Double) {
        lock.withLock {
            macs += multiplyAdds
            time += seconds
        }
    }

    /// Multiply-adds counted as direct convolution.
    public var multiplyAdds: Double { lock.withLock { macs } }
    /// Seconds spent in those layers.
    public var seconds: Double { lock.withLock { time } }
}
