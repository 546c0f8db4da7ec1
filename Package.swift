// swift-tools-version:6.0
import PackageDescription

// librestore.so exports only the C ABI: the version script hides everything else,
// including the statically linked Swift runtime (see the Makefile's `lib` target).
let exportMap = Context.packageDirectory + "/Sources/CExports/restore.map"

#if arch(x86_64)
let avx2: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx2: [SwiftSetting] = []
#endif

let package = Package(
    name: "RestoreKit",
    products: [
        .library(name: "restore", type: .dynamic, targets: ["CExports"]),
        .executable(name: "restorekit", targets: ["restorekit"]),
        // For the fuzz targets (Fuzz/Package.swift).
        .library(name: "RestoreKitCore", targets: ["RestoreKitCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),

        // libpng and libjpeg report errors with longjmp; this C target keeps every
        // setjmp/longjmp pair inside C so no Swift frame is ever jumped over.
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"]),

        // The engine's kernels for AVX2 + FMA, the only code compiled for more than
        // the x86-64 baseline; the core calls them after checking the CPU.
        // Element-wise SIMD functions, inlined into (and compiled with) each caller.
        .target(name: "VectorMath"),
        .target(name: "AVX2Kernels", dependencies: ["VectorMath"], swiftSettings: avx2),

        .target(name: "RestoreKitCore", dependencies: ["CImageCodecs", "COpenBLAS", "VectorMath", "AVX2Kernels"]),

        // include/restore.h as a Swift module, so CExports implements its exact types.
        .systemLibrary(name: "CRestoreABI"),

        .target(
            name: "CExports",
            dependencies: ["RestoreKitCore", "CRestoreABI"],
            exclude: ["restore.map"],
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "--version-script=\(exportMap)",
                              "-Xlinker", "-soname=librestore.so.0"]),
            ]),

        .executableTarget(
            name: "restorekit",
            dependencies: [
                "RestoreKitCore",
                // The header's RESTORE_VERSION_* macros: `--version`.
                "CRestoreABI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (`make bench`): timed in release builds, never part of `make test`.
        .executableTarget(name: "rkbench", dependencies: ["RestoreKitCore"], path: "bench/Sources/rkbench"),

        .testTarget(name: "RestoreKitCoreTests", dependencies: ["RestoreKitCore", "VectorMath", "AVX2Kernels"],
                    path: "Tests/RestoreKitCoreTests", exclude: ["Fixtures"]),
    ]
)
