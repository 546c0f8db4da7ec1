import Testing
@testable import RestoreKitCore

/// Valid ranges and DaLPSR's degree mapping.
@Suite("Restoration prompt: clause ranges and degrees")
struct PromptClauseTests {
    @Test func validRanges() {
        #expect(!RestorationClause.deblur.accepts(0))
        #expect(RestorationClause.deblur.accepts(.leastNonzeroMagnitude))
        #expect(RestorationClause.deblur.accepts(10))
        #expect(!RestorationClause.deblur.accepts(Double(10).nextUp))
        #expect(!RestorationClause.upsample.accepts(Double(1).nextDown))
        #expect(RestorationClause.upsample.accepts(1) && RestorationClause.upsample.accepts(8))
        #expect(!RestorationClause.upsample.accepts(Double(8).nextUp))
        #expect(RestorationClause.denoise.accepts(0) && RestorationClause.denoise.accepts(1))
        #expect(!RestorationClause.denoise.accepts(-0.001) && !RestorationClause.denoise.accepts(Double(1).nextUp))
        #expect(RestorationClause.dejpeg.accepts(1) && RestorationClause.dejpeg.accepts(100))
        #expect(!RestorationClause.dejpeg.accepts(0) && !RestorationClause.dejpeg.accepts(101))
        #expect(!RestorationClause.dejpeg.accepts(40.5))
        for clause in RestorationClause.allCases {
            #expect(!clause.accepts(.nan) && !clause.accepts(.infinity))
            #expect(clause.accepts(clause.trainedRange.lowerBound) && clause.accepts(clause.trainedRange.upperBound))
        }
    }

    /// Degree 0, the midpoints of DaLPSR's four bins, and degree 1.
    static let degrees: [(RestorationClause, [Double])] = [
        (.deblur, [0.2, 0.55, 1.25, 1.95, 2.65, 3.0]),
        (.upsample, [1, 1.75, 3.25, 4.75, 6.25, 7]),
        (.denoise, [0, 0.015, 0.045, 0.075, 0.105, 0.12]),
        (.dejpeg, [92, 84, 69, 53, 38, 30]),
    ]

    @Test(arguments: degrees)
    func degreeMapping(_ clause: RestorationClause, _ values: [Double]) {
        let points = [0, 0.125, 0.375, 0.625, 0.875, 1]
        #expect(points.map(clause.value(forDegree:)) == values)
        #expect(clause.value(forDegree: -1) == values[0])
        #expect(clause.value(forDegree: .nan) == values[0])
        #expect(clause.value(forDegree: 2) == values[5])
    }

    @Test func degreesMapIntoTheValidRange() {
        for clause in RestorationClause.allCases {
            for step in 0 ... 1000 {
                #expect(clause.accepts(clause.value(forDegree: Double(step) / 1000)))
            }
        }
    }
}
