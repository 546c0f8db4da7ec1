import Testing
@testable import RestoreKitCore

/// The orientations plug-and-play deblurring shows its prior.
@Suite struct DihedralTransformTests {
    @Test("each of the eight orientations turns back exactly, odd sides included")
    func roundTrip() {
        let (w, h, count) = (5, 3, 2)
        let planes = (0 ..< count * w * h).map { Float($0) }
        for mode in 0 ..< 8 {
            let turn = DihedralTransform(mode: mode, width: w, height: h)
            let turned = turn.apply(planes, count: count)
            #expect(turned.count == count * turn.turnedWidth * turn.turnedHeight)
            #expect(turn.invert(turned, count: count) == planes, "mode \(mode)")
        }
    }

    @Test("odd sides are padded by reflection, then transposed and mirrored")
    func layout() {
        // 3 × 1:  a b c  → padded 4 × 2:  a b c b / a b c b (row reflected too).
        let turn = DihedralTransform(mode: 1, width: 3, height: 1)
        #expect(turn.turnedWidth == 4 && turn.turnedHeight == 2)
        #expect(turn.apply([1, 2, 3], count: 1) == [2, 3, 2, 1, 2, 3, 2, 1])
        let transposed = DihedralTransform(mode: 4, width: 3, height: 1)
        #expect(transposed.turnedWidth == 2 && transposed.turnedHeight == 4)
        #expect(transposed.apply([1, 2, 3], count: 1) == [1, 1, 2, 2, 3, 3, 2, 2])
    }

    @Test("2 × 2 blocks stay blocks in every orientation (FFDNet's pixel phases)")
    func blocksStay() {
        // Each 2 × 2 block of a 6 × 4 plane holds one value; turned, it still does.
        let (w, h) = (6, 4)
        let planes = (0 ..< w * h).map { Float(($0 % w) / 2 + 10 * (($0 / w) / 2)) }
        for mode in 0 ..< 8 {
            let turn = DihedralTransform(mode: mode, width: w, height: h)
            let turned = turn.apply(planes, count: 1)
            let tw = turn.turnedWidth
            let intact = (0 ..< turned.count).allSatisfy { i in
                let (x, y) = (i % tw, i / tw)
                return turned[i] == turned[(y - y % 2) * tw + x - x % 2]
            }
            #expect(intact, "mode \(mode)")
        }
    }
}
