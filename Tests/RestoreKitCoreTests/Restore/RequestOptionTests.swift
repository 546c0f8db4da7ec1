import Foundation
import Testing
@testable import RestoreKitCore

/// The declaration of the request's options: defaults valid, every range
/// enforced at both ends, the JSON form complete.
@Suite struct RequestOptionTests {
    @Test func defaultsAreValidAndDeclaredOnce() throws {
        try RestorationRequest().validate()
        #expect(RequestOption.all.map(\.id) == RequestOption.ID.allCases)
        #expect(RestorationRequest().changedOptions.isEmpty)
        #expect(RequestOption.declared(.steps).defaultValue == .integer(20))
        #expect(RequestOption.declared(.negativePrompt).defaultValue == .text(PromptFields.defaultNegative))
    }

    /// Sets option `id` of a default request to `value` (numbers only).
    func request(_ id: RequestOption.ID, _ value: Double) -> RestorationRequest {
        var r = RestorationRequest()
        switch id {
        case .strength: r.strength = value
        case .guidance: r.guidance = value
        case .fidelity: r.fidelity = value
        case .steps: r.steps = Int(value)
        case .seed: r.seed = value < 0 ? UInt64.max : UInt64(value)
        case .tileSize: r.tileSize = Int(value)
        case .threads: r.threads = Int(value)
        default: Issue.record("\(id) is not a number")
        }
        return r
    }

    @Test func rangesAreEnforcedAtBothEnds() throws {
        for option in RequestOption.all {
            let bounds: (Double, Double), step: Double
            switch option.kind {
            case .integer(let range): (bounds, step) = ((Double(range.lowerBound), Double(range.upperBound)), 1)
            case .number(let range): (bounds, step) = ((range.lowerBound, range.upperBound), 0.001)
            default: continue
            }
            try request(option.id, bounds.0).validate()
            try request(option.id, bounds.1).validate()
            for outside in [bounds.0 - step, bounds.1 + step] {
                let error = #expect(throws: RestoreError.self, "\(option.name) = \(outside)") {
                    try request(option.id, outside).validate()
                }
                #expect(error?.message.hasPrefix(option.name) == true)
            }
        }
        var nan = RestorationRequest()
        nan.guidance = .nan
        #expect(throws: RestoreError.self) { try nan.validate() }
    }

    @Test func jsonListsEveryOption() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(RequestOption.json.utf8)) as? [[String: Any]]
        let options = try #require(parsed)
        #expect(options.map { $0["name"] as? String } == RequestOption.all.map(\.name))
        let steps = try #require(options.first { $0["name"] as? String == "steps" })
        #expect(steps["default"] as? Int == 20 && steps["minimum"] as? Int == 1 && steps["maximum"] as? Int == 1000)
        let seed = try #require(options.first { $0["name"] as? String == "seed" })
        #expect(seed["maximum"] as? Int == 4_294_967_295 && seed["scope"] as? String == "stage")
        let guidance = try #require(options.first { $0["name"] as? String == "guidance" })
        #expect(guidance["default"] as? Double == 5.5)
    }

    @Test func outputSizeIsOneRuleWithOneMessage() throws {
        #expect(try RestorationRequest(restoration: "Upsample to 2.5").outputSize(width: 101, height: 40) == (253, 100))
        let open = #expect(throws: RestoreError.self) {
            try RestorationRequest(restoration: "Upsample").outputSize(width: 10, height: 10)
        }
        #expect(open == RestorationPrompt.factorNeeded)
        let planned = #expect(throws: RestoreError.self) {
            try RestorationEngine().plan(RestorationRequest(restoration: "Upsample"), channels: 3)
        }
        #expect(planned == RestorationPrompt.factorNeeded)
        #expect(throws: RestoreError.self) {
            try RestorationRequest(restoration: "Upsample to 8").outputSize(width: 30000, height: 30000)
        }
    }
}
