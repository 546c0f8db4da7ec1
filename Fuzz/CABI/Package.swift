// swift-tools-version:6.0
import PackageDescription

// The libFuzzer target of the C ABI (`make fuzz`), linked to librestore.so as hosts link
// it, through the installed header. Apart from Fuzz/Package.swift: see there why.
let package = Package(
    name: "RestoreKitFuzzCABI",
    dependencies: [.package(name: "RestoreKit", path: "../..")],
    targets: [
        .executableTarget(name: "fuzz-capi", dependencies: [.product(name: "restore", package: "RestoreKit")],
                          cSettings: [.unsafeFlags(["-I", Context.packageDirectory + "/../../include"])]),
    ]
)
