import Testing
@testable import RestoreKitCore

@Suite struct BatchShardTests {
    @Test func parsesValidShards() throws {
        let s = try BatchShard(parsing: "3/8")
        #expect(s.index == 3 && s.count == 8 && s.description == "3/8")
        #expect(s.recordName == ".restorekit-batch-3-of-8.jsonl")
        #expect(try BatchShard(parsing: "0/1") == .whole)
    }

    @Test(arguments: ["4/4", "x/2", "1/0", "-1/2", "1/-2", "1", "1/2/3", "", "/2", "1/", " 1/2", "0x1/2", "1/1000001"])
    func refusesBadShards(_ text: String) {
        #expect(throws: RestoreError.self) { try BatchShard(parsing: text) }
    }

    @Test func namesTheRuleInItsMessage() {
        do {
            _ = try BatchShard(parsing: "4/4")
            Issue.record("accepted 4/4")
        } catch let error as RestoreError {
            #expect(error.message.contains("0–3"))
        } catch { Issue.record("\(error)") }
    }

    /// N shards take every item exactly once, whatever order the items come in.
    @Test func shardsPartitionTheBatch() throws {
        let names = (0 ..< 103).map { "dir\($0 % 7)/image\($0).png" }
        for n in [1, 2, 3, 4, 16, 200] {
            var seen: [String] = []
            for i in 0 ..< n {
                let shard = try BatchShard(parsing: "\(i)/\(n)")
                let a = shard.select(names) { $0 }
                let b = shard.select(names.reversed()) { $0 }
                #expect(a == b)
                #expect(a.count == 103 / n || a.count == 103 / n + 1)
                seen += a
            }
            #expect(seen.sorted() == names.sorted())
        }
    }
}

@Suite struct BatchManifestTests {
    private func parse(_ text: String, _ name: String) throws -> [BatchItem] {
        try BatchManifest.parse(Array(text.utf8), name: name)
    }

    private func message(_ text: String, _ name: String) -> String {
        do {
            _ = try parse(text, name)
            return "(no error)"
        } catch let error as RestoreError {
            return error.message
        } catch { return "\(error)" }
    }

    @Test func csvWithQuotesCommentsAndOverrides() throws {
        let items = try parse("""
            input,output,Restoration,strength,prompt\r
            a.png,,,,\r
            # skipped
            "dir/b c.jpg","out/""q"", x.png","Denoise with sigma 0.05, Dejpeg with quality 40",0.5,"a cat
            on two lines"

            /abs/d.png,,,,
            """, "list.csv")
        #expect(items.count == 3)
        #expect(items[0] == BatchItem(input: "a.png", output: "a.png", line: 2))
        #expect(items[1].input == "dir/b c.jpg" && items[1].output == "out/\"q\", x.png" && items[1].line == 4)
        #expect(items[1].overrides == ["restoration": "Denoise with sigma 0.05, Dejpeg with quality 40",
                                       "strength": "0.5", "semantic": "a cat\non two lines"])
        #expect(items[2].output == "d.png" && items[2].line == 7)
    }

    @Test func jsonLines() throws {
        let items = try parse("""
            {"input": "./x/a.png", "strength": 0.25, "seed": 7, "model": null}

            {"input": "b.jpg", "output": "c/d.jpeg", "restoration-prompt": "Deblur with sigma 1"}
            """, "list.jsonl")
        #expect(items == [BatchItem(input: "./x/a.png", output: "x/a.png", overrides: ["strength": "0.25", "seed": "7"], line: 1),
                          BatchItem(input: "b.jpg", output: "c/d.jpeg", overrides: ["restoration": "Deblur with sigma 1"], line: 3)])
    }

    @Test func errorsNameTheLine() {
        #expect(message("input,colour\na.png,red\n", "m.csv").hasPrefix("m.csv:1: unknown field 'colour'"))
        #expect(message("input,output\na.png\n", "m.csv") == "m.csv:2: 1 fields; the header has 2")
        #expect(message("output\na.png\n", "m.csv") == "m.csv:1: the header row has no 'input' column")
        #expect(message("input\na.png\n\"b.png\n", "m.csv") == "m.csv:3: a quoted field is never closed")
        #expect(message("input\na\"b.png\n", "m.csv").hasPrefix("m.csv:2: a quote inside an unquoted field"))
        #expect(message("input,output\na.png,x.tif\n", "m.csv").hasPrefix("m.csv:2: output 'x.tif' must end in"))
        #expect(message("input,output\na.png,../x.png\n", "m.csv").hasPrefix("m.csv:2: output '../x.png' must be a relative path"))
        #expect(message("input,output\na.png,/x.png\n", "m.csv").hasPrefix("m.csv:2: output '/x.png'"))
        #expect(message("input,output\na.png,x.png\nb.png,./x.png\n", "m.csv")
                == "m.csv:3: output 'x.png' is already written by line 2")
        #expect(message("input,threads\na.png,2\n", "m.csv").hasPrefix("m.csv:1: 'threads' is set for the whole batch"))
        #expect(message("{\"input\": \"a.png\"}\n[1]\n", "m.jsonl").hasPrefix("m.jsonl:2: expected an object"))
        #expect(message("{\"input\": \"a.png\"}\n\n{\"input\": \n", "m.jsonl").hasPrefix("m.jsonl:3: not JSON"))
        #expect(message("{\"output\": \"a.png\"}\n", "m.jsonl") == "m.jsonl:1: no input")
        #expect(message("{\"input\": \"a.png\", \"seed\": true}\n", "m.jsonl").hasPrefix("m.jsonl:1: 'seed' must be a string or a number"))
        #expect(message("{\"input\": \"a.png\", \"output\": \".restorekit-batch-0-of-1.png\"}\n", "m.jsonl").contains("keeps for itself"))
    }

    @Test func paths() {
        #expect(BatchPaths.normalisedRelative("./a//b/./c.png") == "a/b/c.png")
        #expect(BatchPaths.normalisedRelative("a/../b.png") == nil)
        #expect(BatchPaths.normalisedRelative("/a.png") == nil)
        #expect(BatchPaths.normalisedRelative("a/") == nil)
        #expect(BatchPaths.temporaryTarget(of: ".photo.png.tmp-Ab12Cd") == "photo.png")
        #expect(BatchPaths.temporaryTarget(of: "photo.png.tmp-Ab12Cd") == nil)
        #expect(BatchPaths.temporaryTarget(of: ".photo.png") == nil)
    }
}

@Suite struct BatchRecordTests {
    private let request = ["restoration": "Denoise with sigma 0.05", "strength": "1.0"]

    @Test func roundTripsThroughJSON() throws {
        let r = BatchRecord(output: "a/\"b\".png", input: "in/a/\"b\".png", status: .done, inputSHA256: "aa", outputSHA256: "bb",
                            request: request, prompt: "Denoise with sigma 0.05", restorers: ["denoise (BM3D, classic)"],
                            seconds: 1.25, time: 1_700_000_000.5, shard: "1/4")
        let line = r.jsonLine
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        #expect(BatchRecord(jsonLine: Array(line.utf8).dropLast()) == r)
        var failed = r
        failed.status = .failed
        failed.error = "line\nbreak"
        failed.outputSHA256 = ""
        #expect(BatchRecord(jsonLine: Array(failed.jsonLine.utf8)) == failed)
    }

    @Test func ignoresATornLastLine() {
        let a = BatchRecord(output: "a.png", input: "a.png", status: .done, time: 1)
        let b = BatchRecord(output: "b.png", input: "b.png", status: .failed, error: "x", time: 2)
        let text = a.jsonLine + b.jsonLine + String(a.jsonLine.prefix(30))
        #expect(BatchRecord.parseLines(Array(text.utf8)) == [a, b])
    }

    @Test func ledgerMatchesInputRequestAndOutput() {
        let done = BatchRecord(output: "a.png", input: "in/a.png", status: .done, inputSHA256: "in1", outputSHA256: "out1",
                               request: request, time: 10)
        let ledger = BatchLedger([done])
        #expect(ledger.isFinished(output: "a.png", inputSHA256: "in1", request: request, outputSHA256: "out1"))
        #expect(!ledger.isFinished(output: "a.png", inputSHA256: "in2", request: request, outputSHA256: "out1"))
        #expect(!ledger.isFinished(output: "a.png", inputSHA256: "in1", request: ["strength": "0.5"], outputSHA256: "out1"))
        #expect(!ledger.isFinished(output: "a.png", inputSHA256: "in1", request: request, outputSHA256: nil))
        #expect(!ledger.isFinished(output: "a.png", inputSHA256: "in1", request: request, outputSHA256: "other"))
        #expect(!ledger.isFinished(output: "b.png", inputSHA256: "in1", request: request, outputSHA256: "out1"))
        #expect(ledger.reason(output: "a.png", inputSHA256: "in2", request: request, outputSHA256: "out1") == "input changed")
        #expect(ledger.reason(output: "a.png", inputSHA256: "in1", request: request, outputSHA256: nil) == "output missing")
        #expect(ledger.reason(output: "b.png", inputSHA256: "in1", request: request, outputSHA256: nil) == "new")
    }

    /// The latest line of an output decides, whichever file it came from; skipped lines never count.
    @Test func latestRecordWins() {
        let done = BatchRecord(output: "a.png", input: "a.png", status: .done, inputSHA256: "i", outputSHA256: "o",
                               request: request, time: 10)
        var failedLater = done
        failedLater.status = .failed
        failedLater.time = 20
        #expect(!BatchLedger([done, failedLater]).isFinished(output: "a.png", inputSHA256: "i", request: request, outputSHA256: "o"))
        #expect(!BatchLedger([failedLater, done]).isFinished(output: "a.png", inputSHA256: "i", request: request, outputSHA256: "o"))
        var skipped = done
        skipped.status = .skipped
        skipped.time = 30
        #expect(BatchLedger([done, skipped]).isFinished(output: "a.png", inputSHA256: "i", request: request, outputSHA256: "o"))
    }
}
