import Testing
@testable import RestoreKitCore

@Suite struct BlockMatcherTests {
    /// A 40 × 32 plane of pseudo-random texture with the patch at (5, 4) copied to (22, 15).
    func plane() -> [Float] {
        var generator = SeededGenerator(seed: 3)
        var p = (0 ..< 40 * 32).map { _ in Float(generator.nextUnit()) }
        for y in 0 ..< 8 {
            for x in 0 ..< 8 { p[(15 + y) * 40 + 22 + x] = p[(4 + y) * 40 + 5 + x] }
        }
        return p
    }

    @Test func findsTheExactCopyRightAfterTheReference() {
        let guide = plane()
        let matcher = BlockMatcher(width: 40, height: 32, radius: 20, maxMatches: 4, threshold: 1,
                                   maxReferences: 1, columns: 1, maxRowSpan: 0)
        let rows = [4], columns = [5]
        guide.withUnsafeBufferPointer { g in
            rows.withUnsafeBufferPointer { r in
                columns.withUnsafeBufferPointer { c in matcher.match(guide: g.baseAddress!, rows: r, columns: c) {} }
            }
        }
        // Random texture: no other patch is within the threshold, so the group is the pair.
        #expect(matcher.groupSizes[0] == 2)
        #expect(matcher.memberX[0] == 5 && matcher.memberY[0] == 4)
        #expect(matcher.memberX[1] == 22 && matcher.memberY[1] == 15)
    }

    @Test func keepsTheClosestPowerOfTwoAndPrefersNearerTies() {
        // A flat plane: every patch is at distance 0, so the nearest displacements win.
        let guide = [Float](repeating: 0.5, count: 40 * 32)
        let matcher = BlockMatcher(width: 40, height: 32, radius: 3, maxMatches: 8, threshold: 1,
                                   maxReferences: 1, columns: 1, maxRowSpan: 0)
        let rows = [10], columns = [12]
        guide.withUnsafeBufferPointer { g in
            rows.withUnsafeBufferPointer { r in
                columns.withUnsafeBufferPointer { c in matcher.match(guide: g.baseAddress!, rows: r, columns: c) {} }
            }
        }
        #expect(matcher.groupSizes[0] == 8)
        #expect(matcher.memberX[0] == 12 && matcher.memberY[0] == 10)
        for m in 1 ..< 8 {
            let dx = Int(matcher.memberX[m]) - 12, dy = Int(matcher.memberY[m]) - 10
            #expect(dx * dx + dy * dy <= 2)
        }
    }

    @Test func referenceGridIsAlignedToTheImage() {
        #expect(CollaborativeStage.referencePositions(last: 10, origin: 0, step: 3) == [0, 3, 6, 9, 10])
        #expect(CollaborativeStage.referencePositions(last: 10, origin: 4, step: 3) == [2, 5, 8, 10])
        #expect(CollaborativeStage.referencePositions(last: 0, origin: 1, step: 3) == [0])
        let bands = CollaborativeStage.bands(rows: [2, 5, 8, 11, 14], originY: 4, bandHeight: 9)
        #expect(bands.map(\.index) == [0, 1, 2])
        #expect(bands.map(\.rows) == [0 ..< 1, 1 ..< 4, 4 ..< 5])
    }
}
