// The command-line rules every subcommand keeps, walked over the command list itself (so a
// new command is covered when it is added to it): --help exits 0 and documents the exit
// statuses, an unknown option is a usage error (2), and a command that needs an input
// refuses to run without it with status 2 before doing anything.
import ArgumentParsing
import Testing
@testable import cadenza

@Suite struct EveryCommandTests {
    static let names = subcommands.map { $0.spec.name }

    /// The commands that run with no argument at all (the composer, a benchmark, a listing).
    static let runWithoutInput: Set<String> = ["compose", "bench", "ports"]

    static func command(_ name: String) -> Subcommand.Type { subcommands.first { $0.spec.name == name }! }

    @Test func theListHoldsEachCommandOnce() {
        #expect(Set(Self.names).count == Self.names.count)
        #expect(Self.names.first == "compose")  // the default command
    }

    @Test(arguments: names) func helpExitsZeroAndDocumentsTheExitStatuses(_ name: String) {
        #expect(runMain([name, "--help"]) == ExitStatus.success)
        #expect(runMain(["help", name]) == ExitStatus.success)
        let help = Self.command(name).spec.helpText()
        #expect(help.contains("Exit status:"))
        for code in [ExitStatus.success, ExitStatus.failure, ExitStatus.usage, ExitStatus.interrupted] {
            #expect(help.contains("\n  \(code) "), "\(name) --help does not explain status \(code)")
        }
        #expect(help.contains("\n  3    ") == Self.command(name).spec.usesDevices)
    }

    @Test(arguments: names) func anUnknownOptionIsAUsageError(_ name: String) {
        #expect(runMain([name, "--no-such-option"]) == ExitStatus.usage)
        #expect(runMain([name, "--no-such-option=1"]) == ExitStatus.usage)
    }

    @Test(arguments: names) func aMissingInputIsAUsageError(_ name: String) {
        let spec = Self.command(name).spec
        if Self.runWithoutInput.contains(name) {
            #expect(!spec.requiresInput, "\(name) is listed as running without input but declares one")
        } else {
            #expect(spec.requiresInput, "\(name) declares no required input; add it to requiredInputs or to runWithoutInput")
            #expect(runMain([name]) == ExitStatus.usage)
        }
    }

    @Test func theTopLevelHelpVersionAndUnknownCommands() {
        #expect(runMain(["--help"]) == ExitStatus.success)
        #expect(runMain(["-V"]) == ExitStatus.success)
        #expect(runMain(["--version"]) == ExitStatus.success)
        #expect(runMain(["no-such-command"]) == ExitStatus.usage)
        #expect(topLevelHelp().contains("Exit status:"))
        #expect(topLevelHelp().contains("\n  3    a device cannot open"))
    }
}
