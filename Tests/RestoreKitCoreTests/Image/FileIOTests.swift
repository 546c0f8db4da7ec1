import Foundation
import Testing
@testable import RestoreKitCore

@Suite struct FileIOTests {
    @Test func atomicWriteReplacesAndLeavesNoTemporary() throws {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        let path = folder + "/out.png"
        try FileIO.writeAtomically([1, 2, 3], to: path)
        try FileIO.writeAtomically([4, 5], to: path)
        #expect(try FileIO.read(path) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.png"])
    }

    @Test func failedEncodeWritesNothing() throws {
        let folder = try TestSupport.makeFolder()
        defer { TestSupport.removeFolder(folder) }
        let transparent = TestSupport.sample.withAlpha([Float](repeating: 0, count: TestSupport.sample.planeCount))
        #expect(throws: RestoreError.self) { try ImageFile.write(transparent, to: folder + "/x.jpg") }
        #expect(throws: RestoreError.self) { try ImageFile.write(transparent, to: folder + "/x.tiff") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func unwritableFolderIsAnIOError() throws {
        let error = #expect(throws: RestoreError.self) {
            try FileIO.writeAtomically([1], to: "/nonexistent-folder/x.png")
        }
        #expect(error?.kind == .io)
        #expect(error?.message.contains("No such file or directory") == true)
        #expect(throws: RestoreError.self) { try FileIO.checkWritable("/nonexistent-folder/x.png") }
        #expect(throws: RestoreError.self) { try FileIO.checkWritable("/tmp") }
        try FileIO.checkWritable("/tmp/restorekit-not-created.png")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/restorekit-not-created.png"))
    }

    @Test func readErrors() {
        #expect(throws: RestoreError.self) { try FileIO.read("/nonexistent") }
        #expect(throws: RestoreError.self) { try FileIO.read("/tmp") }
    }

    @Test func formatFromPath() {
        #expect(ImageFormat(path: "a/b.JPG") == .jpeg)
        #expect(ImageFormat(path: "x.png") == .png)
        #expect(ImageFormat(path: "dir.png/file") == nil)
        #expect(ImageFormat(path: "noext") == nil)
    }
}
