/// The network description of an ncnn `.param` file: its layers in order, each
/// with its type, name, input and output blob names and parameters.
///
/// Format (ncnn's "param and model file structure"): the magic 7767517, then
/// the layer and blob counts, then one line per layer:
/// `Type Name bottomCount topCount bottom… top… key=value…`.
public struct NCNNParamFile: Sendable {
    /// One layer line.
    public struct LayerLine: Sendable {
        public let type: String
        public let name: String
        public let bottoms: [String]
        public let tops: [String]
        public let params: ParamDict
        /// 1-based line number in the file, for messages.
        public let line: Int
    }

    /// The magic number on the first line of every current `.param` file.
    static let magic = 7767517

    public let layers: [LayerLine]
    /// The blob count the file declares (at least the number of distinct blob names).
    public let blobCount: Int

    /// Parses `text`; `file` names it in error messages.
    ///
    /// Throws `RestoreError(.model, …)` naming the file, line and layer for a
    /// wrong magic, counts that disagree with the lines, a malformed line or
    /// parameter, or a blob used before any layer produced it.
    public init(text: String, file: String) throws {
        func fail(_ line: Int, _ what: String) -> RestoreError {
            RestoreError(.model, "\(file): line \(line): \(what)")
        }
        // `isNewline` also splits "\r\n" (one Character in Swift): converters write both.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
        var index = 0
        func nextLine() -> (Int, [Substring])? {
            while index < lines.count {
                index += 1
                if !lines[index - 1].isEmpty { return (index, lines[index - 1]) }
            }
            return nil
        }
        guard let (_, first) = nextLine(), first.count == 1, Int(first[0]) == Self.magic else {
            throw RestoreError(.model, "\(file): not an ncnn .param file (the first line must be the magic number \(Self.magic))")
        }
        guard let (countLine, counts) = nextLine(), counts.count == 2,
              let layerCount = Int(counts[0]), let blobCount = Int(counts[1]),
              layerCount > 0, blobCount > 0 else {
            throw RestoreError(.model, "\(file): line 2: expected the layer and blob counts (two positive integers)")
        }
        var layers: [LayerLine] = []
        var produced: Set<String> = []
        while let (number, tokens) = nextLine() {
            guard layers.count < layerCount else {
                throw fail(number, "more layer lines than the \(layerCount) declared on line \(countLine)")
            }
            guard tokens.count >= 4, let bottomCount = Int(tokens[2]), let topCount = Int(tokens[3]),
                  bottomCount >= 0, topCount >= 0, tokens.count >= 4 + bottomCount + topCount else {
                throw fail(number, "expected 'Type Name inputs outputs blob names… parameters…'")
            }
            let type = String(tokens[0]), name = String(tokens[1])
            let bottoms = tokens[4 ..< 4 + bottomCount].map(String.init)
            let tops = tokens[4 + bottomCount ..< 4 + bottomCount + topCount].map(String.init)
            let params: ParamDict
            do {
                params = try ParamDict.parse(tokens[(4 + bottomCount + topCount)...])
            } catch {
                throw fail(number, "layer '\(name)' (\(type)): \(error.message)")
            }
            for bottom in bottoms where !produced.contains(bottom) {
                throw fail(number, "layer '\(name)' (\(type)) reads blob '\(bottom)' before any layer writes it")
            }
            for top in tops {
                guard produced.insert(top).inserted else {
                    throw fail(number, "layer '\(name)' (\(type)) writes blob '\(top)', which another layer already wrote")
                }
            }
            layers.append(LayerLine(type: type, name: name, bottoms: bottoms, tops: tops, params: params, line: number))
        }
        guard layers.count == layerCount else {
            throw RestoreError(.model, "\(file): declares \(layerCount) layers on line \(countLine) but has \(layers.count) (truncated?)")
        }
        guard produced.count <= blobCount else {
            throw RestoreError(.model, "\(file): declares \(blobCount) blobs on line \(countLine) but names \(produced.count)")
        }
        self.layers = layers
        self.blobCount = blobCount
    }
}
