// swift-tools-version:5.9
// Whittle: train, compress and lower tiny neural networks to integer-only C99.
// No package dependencies: only the toolchain's own libraries and the system zlib.
import PackageDescription

/// Release builds target the CPU they are built on (AVX2 + FMA on our machines): without
/// `-march=native` Swift's release builds use SSE only. Debug builds stay portable.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Whittle",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "whittle", targets: ["whittle"]),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // glibc's mallopt, for the executable's heap settings.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // Both sides: checked sizes, atomic outputs, temporaries. Knows nothing of models.
        .target(name: "WhittleSupport", swiftSettings: fast),

        // Float side.
        .target(name: "WhittleTensor", dependencies: ["WhittleSupport"], swiftSettings: fast),
        .target(name: "WhittleNN", dependencies: ["WhittleTensor", "WhittleSupport", "CZlib"], swiftSettings: fast),
        .target(name: "WhittleCompress", dependencies: ["WhittleNN", "WhittleTensor"], swiftSettings: fast),

        // Integer side: never imports the float side.
        .target(name: "WhittleIR", dependencies: ["WhittleSupport"], swiftSettings: fast),
        .target(name: "WhittleCodegen", dependencies: ["WhittleIR", "WhittleSupport"], swiftSettings: fast),
        // The second front end: TFLite flatbuffers ↔ QGraph.
        .target(name: "WhittleTFLite", dependencies: ["WhittleIR", "WhittleSupport"], swiftSettings: fast),
        .target(name: "WhittleVerify", dependencies: ["WhittleIR", "WhittleCodegen", "WhittleSupport"], swiftSettings: fast),

        // The single bridge from float to integer.
        .target(name: "WhittleLower", dependencies: ["WhittleNN", "WhittleCompress", "WhittleTensor", "WhittleIR"], swiftSettings: fast),

        // What the command line runs, as a library the tests call: argument parsing, commands,
        // the pipeline, reports and benchmarks.
        .target(
            name: "WhittleDriver",
            dependencies: ["WhittleSupport", "WhittleTensor", "WhittleNN", "WhittleCompress", "WhittleLower", "WhittleIR", "WhittleCodegen", "WhittleVerify",
                           "WhittleTFLite"],
            swiftSettings: fast),
        // The executable: signal handling, then WhittleMain.run.
        .executableTarget(name: "whittle", dependencies: ["WhittleDriver", "WhittleSupport", "CMalloc"], swiftSettings: fast),

        .testTarget(name: "WhittleSupportTests", dependencies: ["WhittleSupport"]),
        .testTarget(name: "WhittleTensorTests", dependencies: ["WhittleTensor"]),
        .testTarget(name: "WhittleNNTests", dependencies: ["WhittleNN", "WhittleTensor"]),
        .testTarget(name: "WhittleCompressTests", dependencies: ["WhittleCompress", "WhittleNN", "WhittleTensor"]),
        .testTarget(name: "WhittleLowerTests", dependencies: ["WhittleLower", "WhittleCompress", "WhittleNN", "WhittleTensor", "WhittleIR"]),
        .testTarget(name: "WhittleIRTests", dependencies: ["WhittleIR"], exclude: ["Fixtures"]),
        .testTarget(name: "WhittleCodegenTests", dependencies: ["WhittleCodegen", "WhittleIR"]),
        .testTarget(name: "WhittleTFLiteTests", dependencies: ["WhittleTFLite", "WhittleIR", "WhittleCodegen"], exclude: ["Fixtures"]),
        .testTarget(name: "WhittleVerifyTests", dependencies: ["WhittleVerify", "WhittleCodegen", "WhittleIR"]),
        .testTarget(name: "WhittleCLITests", dependencies: ["WhittleDriver", "WhittleVerify", "WhittleCodegen", "WhittleIR"]),
    ]
)
