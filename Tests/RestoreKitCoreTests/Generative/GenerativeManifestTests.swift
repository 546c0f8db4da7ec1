import Foundation
import Testing
@testable import RestoreKitCore

/// The imported models' manifest and records: written and read back, names
/// checked, moved or changed files reported with the fix, and the planner's
/// generative plan (never chosen by "auto"; the prompt's restorers as the
/// structure; the options a recipe does not read reported).
@Suite struct GenerativeManifestTests {
    static func model(_ name: String, recipe: ImportedModel.Recipe = .refine, files: [ImportedModel.File] = [],
                      scheduler: String? = nil) -> ImportedModel {
        ImportedModel(name: name, recipe: recipe, format: .diffusers, path: "/models/\(name) \"quoted\"", base: "SD 1.x",
                      prediction: .epsilon, files: files,
                      loras: [.init(file: .init(path: "/l.safetensors", size: 12, sha256: String(repeating: "a", count: 64)),
                                    scale: 0.75)],
                      controlNet: recipe == .refine ? "/cn" : nil, scheduler: scheduler)
    }

    @Test func writesAndReadsBack() throws {
        let folder = NSTemporaryDirectory() + "rk-manifest-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try GenerativeManifest(folder: folder).models.isEmpty)
        let file = ImportedModel.File(path: "/a/b.json", size: 3, sha256: String(repeating: "0", count: 64))
        let manifest = GenerativeManifest(models: [Self.model("one", recipe: .oneStep, files: [file]),
                                                   Self.model("two", scheduler: "lcm")])
        try manifest.write(folder: folder)
        #expect(try GenerativeManifest(folder: folder) == manifest)
        try FileIO.writeAtomically(Array("{\"format\": \"other\"}".utf8), to: folder + "/generative.json")
        let error = #expect(throws: RestoreError.self) { try GenerativeManifest(folder: folder) }
        #expect(error?.kind == .model && error?.message.contains("generative.json") == true)
    }

    @Test func namesAreChecked() throws {
        for good in ["sd15", "osediff-v1.2", "a_b"] { try ImportedModel.checkName(good) }
        for bad in ["", "Upper", "with space", "-dash", String(repeating: "a", count: 65), "é"] {
            #expect(throws: RestoreError.self, "\(bad)") { try ImportedModel.checkName(bad) }
        }
    }

    @Test func movedOrChangedFilesNameTheFileAndTheFix() throws {
        let path = NSTemporaryDirectory() + "rk-file-" + UUID().uuidString
        try FileIO.writeAtomically(Array("weights".utf8), to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let record = try ImportedModel.File.reading(path)
        var model = ImportedModel(name: "m", recipe: .refine, format: .diffusers, path: "/x", base: "SD 1.x",
                                  prediction: .epsilon, files: [record], loras: [], controlNet: nil)
        try model.checkFiles(verify: true)
        try FileIO.writeAtomically(Array("weightz".utf8), to: path)
        try model.checkFiles()  // the same size: only --verify sees it
        var error = #expect(throws: RestoreError.self) { try model.checkFiles(verify: true) }
        #expect(error?.message.contains("sha256") == true && error?.message.contains(path) == true)
        model = ImportedModel(name: "m", recipe: .refine, format: .diffusers, path: "/x", base: "SD 1.x",
                              prediction: .epsilon, files: [.init(path: path + ".gone", size: 1, sha256: "")], loras: [],
                              controlNet: nil)
        error = #expect(throws: RestoreError.self) { try model.checkFiles() }
        #expect(error?.message.contains("gone") == true && error?.message.contains("models import") == true)
    }

    /// A generative stand-in: its stage records the structure plan it was given.
    struct StandInGenerative: RestorationBackend {
        var name: String { "dream" }
        var isGenerative: Bool { true }
        var reads: Set<RequestOption.ID> { [.semanticPrompt, .steps] }
        func restorer(for task: RestorationTask, request: RestorationRequest, channels: Int) throws -> (any Restorer)? {
            nil
        }
        func generativeRestorer(structure: RestorationPlan, request: RestorationRequest,
                                channels: Int) throws -> (any Restorer)? {
            BoxMean(radius: structure.stages.count)
        }
    }

    @Test func generativePlans() throws {
        let planner = RestorationPlanner(backends: [StandInGenerative(), ClassicBackend()])
        let prompt = RestorationPrompt(denoise: .value(0.05))
        let auto = try planner.plan(prompt, channels: 3)
        #expect(auto.stages.map(\.backend) == ["classic"])
        var request = RestorationRequest()
        request.model = "dream"
        request.seed = 5
        let plan = try planner.plan(prompt, channels: 3, request: request)
        #expect(plan.stages.count == 1 && plan.stages[0].backend == "dream" && plan.isGenerative)
        #expect((plan.stages[0].restorer as? BoxMean)?.radius == 1)  // the denoise stage as the structure
        #expect(plan.inertOptions.map { $0.options.map(\.id) } == [[.seed]])
    }
}
