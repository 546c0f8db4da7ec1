/// The layers of a network and the blobs between them, as they are added:
/// what an ncnn `.param` file describes, or what code builds directly
/// (`NetworkBuilder`). `Network` runs it.
struct NetworkGraph {
    private(set) var nodes: [Network.Node] = []
    private(set) var blobNames: [String] = []
    private(set) var blobIndex: [String: Int] = [:]
    /// Input blobs and their declared channel counts (0: any).
    private(set) var inputs: [(blob: Int, channels: Int)] = []

    /// The index of blob `name`, added when new.
    private mutating func blob(_ name: String) -> Int {
        if let i = blobIndex[name] { return i }
        blobIndex[name] = blobNames.count
        blobNames.append(name)
        return blobNames.count - 1
    }

    /// Declares the input blob `blob` of `channels` channels (0: any), made by layer `name`.
    mutating func input(_ blob: String, channels: Int, name: String) {
        let top = self.blob(blob)
        inputs.append((top, channels))
        nodes.append(Network.Node(type: "Input", name: name, layer: nil, bottoms: [], tops: [top]))
    }

    /// Adds `layer` reading `bottoms` and writing `tops`; throws, naming `at`,
    /// when it takes another number of blobs.
    mutating func add(_ layer: any Layer, type: String, name: String, bottoms: [String], tops: [String],
                      at: String) throws {
        let counts = layer.blobCounts
        guard counts.inputs.contains(bottoms.count), counts.outputs.contains(tops.count) else {
            throw RestoreError(.model, "\(at): takes \(counts.inputs) inputs and \(counts.outputs) outputs, the line gives \(bottoms.count) and \(tops.count)")
        }
        nodes.append(Network.Node(type: type, name: name, layer: layer, bottoms: bottoms.map { blob($0) },
                                  tops: tops.map { blob($0) }))
    }
}
