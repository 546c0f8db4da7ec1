import Testing
@testable import RestoreKitCore

@Suite struct ImageLimitsTests {
    @Test func defaultBudget() throws {
        let limits = ImageLimits.default
        try limits.check(width: 65535, height: 4096)
        #expect(throws: RestoreError(.imageTooLarge,
                                     "image is 65536 × 10 pixels; the limit is 65535 on either side")) {
            try limits.check(width: 65536, height: 10)
        }
        #expect(throws: RestoreError.self) { try limits.check(width: 20000, height: 20000) }
        #expect(throws: RestoreError.self) { try limits.check(width: 0, height: 10) }
        #expect(throws: RestoreError.self) { try limits.check(width: Int.max, height: Int.max) }
    }

    @Test func messageNamesMegapixels() {
        do {
            try ImageLimits(maxPixels: 1 << 20, maxSide: 65535).check(width: 2000, height: 1000)
            Issue.record("expected an error")
        } catch let error as RestoreError {
            #expect(error.kind == .imageTooLarge)
            #expect(error.message.contains("1.9 MP"))
            #expect(error.message.contains("limit is 1.0 MP"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
