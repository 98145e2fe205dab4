// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: Support → HDF5 → Models, Datasets → Engine → Hardware (on Models alone) → Search →
// Reports (with Plot), Deployment (with ONNX) → odimo CLI.
// The C modules are thin system-library wrappers; only the Swift module of the same
// name talks to each of them.
let package = Package(
  name: "odimo",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "odimo", targets: ["odimo"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial"),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
    .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
    .systemLibrary(name: "CDeflate", path: "Sources/CDeflate", pkgConfig: "libdeflate"),
    .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto"),
    .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2"),
    // Progress lines and durations for people at a terminal or reading a log.
    .target(name: "Console"),
    // What every module shares: the option-value error, safe (atomic) file writes, the
    // seeded generator, the JSON coders.
    .target(name: "Support"),
    // TensorBoard event files (scalars), through swift-protobuf; event.pb.swift is generated and committed.
    .target(
      name: "TensorBoard", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["Protos"]),
    // ONNX models (a subset of onnx.proto, through swift-protobuf; onnx.pb.swift is generated and committed).
    .target(
      name: "ONNX", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")], exclude: ["Protos"]),
    .target(name: "HDF5", dependencies: ["CHDF5", "CDeflate", "Support"]),
    // Models as data: layer graphs with their geometry, the zoo, the stable architecture JSON.
    .target(name: "Models", dependencies: ["Support"]),
    .target(name: "Datasets", dependencies: ["HDF5", "Support", "CZlib", "CJPEG", "CPNG", "CCrypto"]),
    .target(name: "Engine", dependencies: ["Models", "HDF5", "Datasets", "Support", "CDNNL"]),
    .target(
      name: "Hardware",
      dependencies: ["Models", "HDF5", "Support", .product(name: "TOMLKit", package: "TOMLKit")],
      resources: [.copy("Descriptions")]
    ),
    .target(
      name: "Search",
      dependencies: ["Models", "Engine", "Hardware", "Datasets", "HDF5", "Console", "Support"]),
    // Charts as PNG: rasterizer, FreeType text, axes; knows nothing about ODiMO.
    .target(name: "Plot", dependencies: ["Support", "CPNG", "CFreeType"]),
    .target(
      name: "Reports", dependencies: ["Plot", "Search", "Hardware", "Models", "Engine", "Datasets", "HDF5", "Support"]),
    // Trained networks as deployment flows and PyTorch read them: ONNX, model.py + safetensors.
    .target(
      name: "Deployment",
      dependencies: [
        "ONNX", "Search", "Hardware", "Models", "Engine", "Datasets", "HDF5", "Support",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .executableTarget(
      name: "odimo",
      dependencies: [
        "Console",
        "Support",
        "TensorBoard",
        "HDF5",
        "Datasets",
        "Models",
        "Engine",
        "Hardware",
        "Search",
        "Reports",
        "Deployment",
        "Plot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "TestSupport", dependencies: ["Datasets", "Engine", "Support"], path: "Tests/TestSupport"),
    .testTarget(name: "ConsoleTests", dependencies: ["Console"]),
    .testTarget(name: "DeploymentTests", dependencies: ["Deployment"]),
    .testTarget(name: "TensorBoardTests", dependencies: ["TensorBoard", "TestSupport"]),
    .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "Support", "TestSupport"]),
    .testTarget(name: "NativeLibraryTests", dependencies: ["CPNG", "CZlib", "CDNNL", "CJPEG", "HDF5"]),
    .testTarget(name: "CLITests", dependencies: ["HDF5", "Datasets", "TestSupport"]),
    .testTarget(
      name: "DatasetsTests", dependencies: ["Datasets", "HDF5", "Support", "CJPEG", "CPNG", "TestSupport"]),
    .testTarget(
      name: "EngineTests", dependencies: ["Models", "Engine", "Datasets", "HDF5", "Support", "TestSupport"],
      // PyTorch reference fixtures, read by path (scripts/fixtures/make_pytorch_fixtures.py).
      exclude: ["Fixtures"]),
    .testTarget(
      name: "SearchTests",
      dependencies: ["Search", "Models", "Engine", "Hardware", "Datasets", "HDF5", "Support", "TestSupport"]),
    .testTarget(name: "HardwareTests", dependencies: ["Hardware", "Models", "Engine", "Datasets", "Support", "TestSupport"]),
    .testTarget(name: "PlotTests", dependencies: ["Plot", "TestSupport"], exclude: ["Golden"]),
    .testTarget(
      name: "ReportsTests", dependencies: ["Reports", "Search", "Hardware", "Models", "Engine", "HDF5", "TestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
