// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one per parser of untrusted input (`make fuzz`). A package of
// their own: each target's `main` is libFuzzer's, so they build only with
// `--sanitize fuzzer`, here together with AddressSanitizer.
// The C ABI's target is a package of its own (CABI/): it links the shared library
// product, as hosts do, while these link the core's objects.
let fuzzers = ["prompt", "png", "jpeg", "json", "config", "tokenizer", "ncnn", "safetensors",
               "torch-legacy", "torch-zip"]

let package = Package(
    name: "RestoreKitFuzz",
    dependencies: [.package(name: "RestoreKit", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "RestoreKitCore", package: "RestoreKit")]),
    ] + fuzzers.map { name in
        .executableTarget(name: "fuzz-\(name)",
                          dependencies: ["FuzzSupport", .product(name: "RestoreKitCore", package: "RestoreKit")],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)
