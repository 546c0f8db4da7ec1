import Testing
@testable import RestoreKitCore

@Suite struct DejpegIJGTablesTests {
    /// The tables are exactly those libjpeg-turbo writes into a file, clamping
    /// included (quality 1–10 hits the 255 ceiling, 100 the floor of 1).
    @Test(arguments: [1, 5, 10, 23, 30, 49, 50, 51, 75, 90, 99, 100])
    func matchLibjpeg(_ quality: Int) throws {
        let image = DejpegTestImages.crop(width: 16, height: 16)
        let info = try #require(try JPEGCodec.decode(JPEGCodec.encode(image, quality: quality)).jpeg)
        let tables = JPEGTables.ijg(quality: quality)
        #expect(info.table(forComponent: 0) == tables.luma)
        #expect(info.table(forComponent: 1) == tables.chroma)
        #expect(info.table(forComponent: 2) == tables.chroma)
    }

    @Test func clampQuality() {
        #expect(JPEGTables.ijg(quality: 0) == JPEGTables.ijg(quality: 1))
        #expect(JPEGTables.ijg(quality: 250) == JPEGTables.ijg(quality: 100))
        #expect(JPEGTables.ijg(quality: 100).luma.allSatisfy { $0 == 1 })
    }
}
