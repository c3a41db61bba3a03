// swift-tools-version:5.9
// Cadenza: a terminal composer for classical piano music. No package dependencies;
// system libraries come in through the C targets CNcursesw, CALSA and CBLAS.
import PackageDescription

let package = Package(
    name: "Cadenza",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cadenza", targets: ["cadenza"]),
    ],
    targets: [
        // System libraries. Each has a shim header for what Swift cannot import.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CALSA", path: "Sources/CALSA", pkgConfig: "alsa",
                       providers: [.apt(["libasound2-dev"])]),
        // A C target (not a system library) so the BLAS can differ per platform: OpenBLAS on
        // Linux, opened at run time so its kernel can be chosen first; Accelerate on macOS.
        .target(name: "CBLAS", path: "Sources/CBLAS",
                linkerSettings: [
                    .linkedFramework("Accelerate", .when(platforms: [.macOS])),
                ]),

        // Core modules: data flows one way, top to bottom.
        // Escaping of file bytes quoted in error messages, shared by every reader.
        .target(name: "UntrustedText"),
        // Input files that must be regular files, atomic writes and their temporary files.
        .target(name: "FileSafety"),
        .target(name: "MIDI", dependencies: ["UntrustedText", "FileSafety"]),
        .target(name: "Tokenization", dependencies: ["MIDI", "UntrustedText"]),
        // The LSTM's fused recurrent kernel (C with vector extensions, one build per instruction set).
        .target(name: "CRecurrentKernel", path: "Sources/CRecurrentKernel"),
        .target(name: "NN", dependencies: ["CBLAS", "CRecurrentKernel", "UntrustedText", "FileSafety"]),
        .target(name: "Training", dependencies: ["NN", "Tokenization", "MIDI", "FileSafety"]),
        .target(name: "Generation", dependencies: ["NN", "Tokenization", "MIDI", "FileSafety"]),
        // The model card's measures: the corpus and losses of Training, the music of Generation.
        .target(name: "ModelCard", dependencies: ["Generation", "Training", "NN", "Tokenization", "MIDI"]),
        .target(name: "Synthesis", dependencies: ["MIDI", "UntrustedText", "FileSafety"]),
        .target(name: "Playback", dependencies: ["CALSA", "MIDI", "Synthesis"]),
        .target(name: "TUI", dependencies: ["ArgumentParsing", "CNcursesw", "Generation", "Playback", "Synthesis", "MIDI", "Tokenization", "NN", "FileSafety"]),
        .target(name: "ArgumentParsing"),
        .executableTarget(name: "cadenza",
                          dependencies: ["ArgumentParsing", "MIDI", "Tokenization", "NN", "Training",
                                         "Generation", "ModelCard", "Synthesis", "Playback", "TUI", "FileSafety"]),

        // Fixture paths, a seeded generator and temporary folders for every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CNcursesw", "CALSA", "CBLAS"]),
        .testTarget(name: "UntrustedTextTests", dependencies: ["UntrustedText"]),
        .testTarget(name: "FileSafetyTests", dependencies: ["FileSafety", "TestSupport"]),
        .testTarget(name: "MIDITests", dependencies: ["MIDI", "TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "MIDI", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "CRecurrentKernel", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "NN", "Tokenization", "MIDI", "TestSupport"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "NN", "Tokenization", "MIDI", "FileSafety", "TestSupport"]),
        .testTarget(name: "ModelCardTests", dependencies: ["ModelCard", "Generation", "TestSupport"]),
        .testTarget(name: "SynthesisTests", dependencies: ["Synthesis", "MIDI", "TestSupport"]),
        .testTarget(name: "PlaybackTests", dependencies: ["Playback", "Synthesis", "MIDI"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "FileSafety", "Generation", "MIDI", "Playback", "Tokenization", "TestSupport"]),
        .testTarget(name: "ArgumentParsingTests", dependencies: ["ArgumentParsing"]),
        .testTarget(name: "CommandLineTests", dependencies: ["cadenza", "ArgumentParsing", "TestSupport"]),
    ]
)
