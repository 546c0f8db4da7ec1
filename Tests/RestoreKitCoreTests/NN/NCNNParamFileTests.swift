import Testing
@testable import RestoreKitCore

@Suite struct NCNNParamFileTests {
    let valid = """
        7767517
        3 3
        Input            data   0 1 data 0=8 1=8 2=3
        Convolution      conv   1 1 data c 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01
        ReLU             relu   1 1 c out
        """

    @Test func parsesLayersAndParameters() throws {
        let file = try NCNNParamFile(text: valid, file: "net.param")
        #expect(file.layers.map(\.type) == ["Input", "Convolution", "ReLU"])
        #expect(file.layers[1].bottoms == ["data"] && file.layers[1].tops == ["c"])
        let p = file.layers[1].params
        #expect(p.int(0, 0) == 4 && p.int(6, 0) == 108 && p.int(7, -1) == -1)
        #expect(p.array(10) == [Double(Float(0.2))])
        #expect(p.float(1, 0) == 3)
        #expect(file.layers[2].line == 5)
    }

    @Test func crlfLineEndings() throws {
        let file = try NCNNParamFile(text: valid.split(separator: "\n").joined(separator: "\r\n"), file: "net.param")
        #expect(file.layers.count == 3 && file.layers[2].tops == ["out"])
    }

    @Test func floatOrIntegerByNcnnsRule() throws {
        let p = try ParamDict.parse(["0=1", "1=1.5", "2=2e-3", "3=-7", "-23304=3,1,2.5,-3"])
        #expect(p.values[0] == .int(1) && p.values[1] == .float(1.5) && p.values[2] == .float(0.002))
        #expect(p.int(3, 0) == -7 && p.array(4) == [1, 2.5, -3])
    }

    @Test func wrongMagicCountsAndLines() {
        func message(_ text: String) -> String? {
            do { _ = try NCNNParamFile(text: text, file: "x.param"); return nil } catch let e as RestoreError {
                #expect(e.kind == .model)
                return e.message
            } catch { return "\(error)" }
        }
        #expect(message("7767516\n1 1\nInput a 0 1 a")?.contains("magic") == true)
        #expect(message("")?.contains("magic") == true)
        #expect(message("7767517\n0 1\n")?.contains("layer and blob counts") == true)
        #expect(message("7767517\n2 2\nInput a 0 1 a\n")?.contains("declares 2 layers") == true)
        #expect(message("7767517\n1 2\nInput a 0 1 a\nReLU r 1 1 a b\n")?.contains("more layer lines") == true)
        #expect(message("7767517\n2 1\nInput a 0 1 a\nReLU r 1 1 a b\n")?.contains("declares 1 blobs") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 1 1 zz b\n")?.contains("before any layer writes it") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 1 1 a b x\n")?.contains("line 4: layer 'r'") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 1 1 a b 0=\n")?.contains("malformed") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 1 1 a b 40=1\n")?.contains("out of range") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 1 1 a b -23300=3,1\n")?.contains("count it states") == true)
        #expect(message("7767517\n2 3\nInput a 0 1 a\nReLU r 9 1 a b\n")?.contains("expected") == true)
    }
}
