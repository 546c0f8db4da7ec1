/// Builds a network in code, layer by layer: for models whose architecture is
/// known and whose weights come from elsewhere (a safetensors file converted
/// from a checkpoint), where an ncnn `.param`/`.bin` pair describes others.
struct NetworkBuilder {
    private var graph = NetworkGraph()
    /// Names the network in messages, e.g. the weights file.
    let source: String

    init(source: String) {
        self.source = source
    }

    /// Declares the input blob `name` of `channels` channels.
    mutating func input(_ name: String, channels: Int) {
        graph.input(name, channels: channels, name: name)
    }

    /// Adds a square convolution of stride 1 from blob `bottom` to blob `top`
    /// with `padding` zeros around the input; `weights` are outputs × inputs ×
    /// kernel × kernel, `bias` one per output (or nil).
    mutating func convolution(_ name: String, from bottom: String, to top: String, outputs: Int, kernel: Int,
                              padding: Int, weights: [Float], bias: [Float]?, activation: Activation) throws {
        let layer = try ConvolutionLayer(geometry: ConvolutionGeometry(kernel: kernel, padding: padding),
                                         outputs: outputs, weights: weights, bias: bias, activation: activation)
        try graph.add(layer, type: "Convolution", name: name, bottoms: [bottom], tops: [top],
                      at: "\(source): layer '\(name)' (Convolution)")
    }

    /// The network built so far.
    func build() throws -> Network {
        try Network(graph, source: source)
    }
}
