// swift-tools-version:5.9
// Whittle: train, compress and lower tiny neural networks to integer-only C99.
// No package dependencies: only the toolchain's own libraries and the system zlib.
import PackageDescription

/// Release builds target the CPU they are built on (AVX2 + FMA on our machines); see
/// ../shared/notes/swift-performance.md. Debug builds stay portable.
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

        // Float side.
        .target(name: "WhittleTensor", swiftSettings: fast),
        .target(name: "WhittleNN", dependencies: ["WhittleTensor", "CZlib"], swiftSettings: fast),
        .target(name: "WhittleCompress", dependencies: ["WhittleNN", "WhittleTensor"], swiftSettings: fast),

        // Integer side: never imports the float side.
        .target(name: "WhittleIR", swiftSettings: fast),
        .target(name: "WhittleCodegen", dependencies: ["WhittleIR"], swiftSettings: fast),
        .target(name: "WhittleVerify", dependencies: ["WhittleIR", "WhittleCodegen"], swiftSettings: fast),

        // The single bridge from float to integer.
        .target(name: "WhittleLower", dependencies: ["WhittleNN", "WhittleCompress", "WhittleTensor", "WhittleIR"], swiftSettings: fast),

        .executableTarget(
            name: "whittle",
            dependencies: ["WhittleTensor", "WhittleNN", "WhittleCompress", "WhittleLower", "WhittleIR", "WhittleCodegen", "WhittleVerify"],
            swiftSettings: fast),

        .testTarget(name: "WhittleTensorTests", dependencies: ["WhittleTensor"]),
        .testTarget(name: "WhittleNNTests", dependencies: ["WhittleNN", "WhittleTensor"]),
        .testTarget(name: "WhittleCompressTests", dependencies: ["WhittleCompress", "WhittleNN", "WhittleTensor"]),
        .testTarget(name: "WhittleLowerTests", dependencies: ["WhittleLower", "WhittleCompress", "WhittleNN", "WhittleTensor", "WhittleIR"]),
        .testTarget(name: "WhittleIRTests", dependencies: ["WhittleIR"]),
        .testTarget(name: "WhittleCodegenTests", dependencies: ["WhittleCodegen", "WhittleIR"]),
        .testTarget(name: "WhittleVerifyTests", dependencies: ["WhittleVerify", "WhittleCodegen", "WhittleIR"]),
        .testTarget(name: "WhittleCLITests", dependencies: []),
    ]
)
