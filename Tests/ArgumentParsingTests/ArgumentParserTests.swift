// The command-line parser: option spellings (--opt value, --opt=value, -o value,
// snake_case aliases), flags, positionals, `--`, and each user error with its message
// and "did you mean" suggestion. Help text is checked verbatim.
import Testing
@testable import ArgumentParsing

@Suite struct ArgumentParserTests {
    static let train = CommandSpec(
        name: "train", summary: "Train a model", usage: "train --data DIR [OPTIONS]",
        options: [
            OptionSpec("data", value: "DIR", help: "Folder of MIDI files"),
            OptionSpec("batch-size", value: "N", default: "64", help: "Sequences per batch"),
            OptionSpec("save-dir", value: "DIR", aliases: ["out"], help: "Where checkpoints go"),
            OptionSpec("output", value: "FILE", short: "o", help: "Output file"),
            OptionSpec("temperature", value: "T", help: "Sampling temperature"),
            OptionSpec("resume", help: "Continue from the last checkpoint"),
        ],
        positionals: [("FILE...", "Extra files")], minPositionals: 0, maxPositionals: 2)

    func parse(_ args: [String], spec: CommandSpec = train) throws -> ParsedArguments {
        try ArgumentParser.parse(args, spec: spec)
    }

    @Test func valueSeparatedOrAfterAnEqualsSign() throws {
        let a = try parse(["--data", "corpus", "--batch-size=32"])
        #expect(a.string("data") == "corpus")
        #expect(try a.int("batch-size") == 32)
        #expect(try parse(["--data=a=b"]).string("data") == "a=b")  // only the first '=' splits
        #expect(try parse(["--data="]).string("data") == "")
    }

    @Test func snakeCaseSpellingsOfThePythonScriptsAreAliases() throws {
        let a = try parse(["--batch_size", "16", "--save_dir=checkpoints/"])
        #expect(try a.int("batch-size") == 16)
        #expect(a.string("save-dir") == "checkpoints/")
        #expect(try parse(["--out", "x"]).string("save-dir") == "x")
    }

    @Test func shortOptionsFlagsAndPositionals() throws {
        let a = try parse(["one.mid", "-o", "song.mid", "--resume", "two.mid"])
        #expect(a.string("output") == "song.mid")
        #expect(a.flag("resume"))
        #expect(!a.flag("data"))
        #expect(a.positionals == ["one.mid", "two.mid"])
    }

    @Test func laterValuesOverrideEarlierOnesButAllAreKept() throws {
        let a = try parse(["--data", "a", "--data", "b"])
        #expect(a.string("data") == "b")
        #expect(a.strings("data") == ["a", "b"])
    }

    @Test func negativeNumbersAreValuesAndDoubleDashEndsOptions() throws {
        #expect(try parse(["--temperature", "-0.5"]).double("temperature") == -0.5)
        #expect(try parse(["--", "--resume"]).positionals == ["--resume"])
        #expect(try parse(["-"]).positionals == ["-"])
    }

    @Test func missingValue() {
        #expect(throws: ArgumentError.missingValue(option: "data")) { try parse(["--data"]) }
        #expect(throws: ArgumentError.missingValue(option: "data")) { try parse(["--data", "--resume"]) }
        #expect(ArgumentError.missingValue(option: "data").description == "option '--data' needs a value")
    }

    @Test func unknownOptionWithSuggestion() {
        #expect(throws: ArgumentError.unknownOption("--bach-size", suggestion: "batch-size")) { try parse(["--bach-size", "3"]) }
        #expect(throws: ArgumentError.unknownOption("--temprature", suggestion: "temperature")) { try parse(["--temprature=1"]) }
        #expect(throws: ArgumentError.unknownOption("--zzz", suggestion: nil)) { try parse(["--zzz"]) }
        #expect(throws: ArgumentError.unknownOption("-x", suggestion: nil)) { try parse(["-x"]) }
        #expect(ArgumentError.unknownOption("--bach-size", suggestion: "batch-size").description
                == "unknown option '--bach-size'; did you mean '--batch-size'?")
    }

    @Test func suggestionsForMisspelledSnakeCaseAndCommands() {
        #expect(ArgumentParser.suggestion(for: "batch_sise", among: ["batch-size", "data"]) == "batch-size")
        #expect(ArgumentParser.suggestion(for: "genrate", among: ["generate", "info", "train"]) == "generate")
        #expect(ArgumentParser.suggestion(for: "qqqqqq", among: ["generate", "info"]) == nil)
        #expect(ArgumentError.unknownCommand("genrate", suggestion: "generate").description
                == "unknown command 'genrate'; did you mean 'generate'? (see 'cadenza --help')")
    }

    @Test func flagsTakeNoValueAndNumbersAreChecked() throws {
        #expect(throws: ArgumentError.unexpectedValue(option: "resume")) { try parse(["--resume=yes"]) }
        #expect(throws: ArgumentError.invalidValue(option: "batch-size", value: "many", expected: "an integer")) {
            try parse(["--batch-size", "many"]).int("batch-size")
        }
        #expect(throws: ArgumentError.invalidValue(option: "temperature", value: "nan", expected: "a number")) {
            try parse(["--temperature", "nan"]).double("temperature")
        }
    }

    @Test func aValueNotGivenIsTheDeclaredDefault() throws {
        let none = try parse([])
        #expect(try none.int("batch-size") == 64)  // declared once, in the spec
        #expect(!none.has("batch-size"))           // not given by the user
        #expect(try parse(["--batch-size", "8"]).int("batch-size") == 8)
        #expect(try none.optionalDouble("temperature") == nil)  // no default declared
        #expect(throws: ArgumentError.missingValue(option: "temperature")) { try none.double("temperature") }
        #expect(none.string("data") == nil)
        #expect(none.declares("data") && !none.declares("no-such-option"))
    }

    @Test func lookingUpAnUndeclaredNameStopsTheProgram() async {
        await #expect(processExitsWith: .failure) {
            _ = try? ArgumentParser.parse([], spec: ArgumentParserTests.train).string("bach-size")  // a typo in a command's code
        }
        await #expect(processExitsWith: .failure) {
            _ = try? ArgumentParser.parse([], spec: ArgumentParserTests.train).flag("resumes")
        }
    }

    @Test func positionalCounts() throws {
        #expect(throws: ArgumentError.tooManyPositionals("c")) { try parse(["a", "b", "c"]) }
        let info = CommandSpec(name: "info", summary: "Info", usage: "info FILE...",
                               positionals: [("FILE...", "files")], minPositionals: 1, maxPositionals: nil)
        #expect(throws: ArgumentError.missingPositional("FILE...")) { try parse([], spec: info) }
        #expect(try parse(["a", "b", "c", "d"], spec: info).positionals.count == 4)
    }

    @Test func helpIsRequestedEvenWithOtherwiseInvalidArguments() throws {
        #expect(try parse(["--help"]).helpRequested)
        let info = CommandSpec(name: "info", summary: "Info", usage: "info FILE...", minPositionals: 1)
        #expect(try parse(["-h"], spec: info).helpRequested)  // no missing-positional error
    }

    @Test func helpTextVerbatim() {
        #expect(Self.train.helpText() == """
        Train a model

        Usage: cadenza train --data DIR [OPTIONS]

        Arguments:
          FILE...                   Extra files

        Options:
          --data DIR                Folder of MIDI files
          --batch-size N            Sequences per batch (default: 64)
          --save-dir DIR            Where checkpoints go [also: --out]
          -o, --output FILE         Output file
          --temperature T           Sampling temperature
          --resume                  Continue from the last checkpoint
          -h, --help                Show this help

        Exit status:
          0    done
          1    failed (a file cannot be read or written, a model is wrong)
          2    usage error (unknown option, missing or bad value, missing input)
          130  stopped by Ctrl-C

        """)
    }

    @Test func aCommandThatUsesDevicesDocumentsStatusThree() {
        let play = CommandSpec(name: "play", summary: "Play", usage: "play FILE", usesDevices: true)
        #expect(play.helpText().contains("  3    a device cannot open"))
        #expect(!Self.train.helpText().contains("  3  "))
    }

    @Test func requiredInputsAreAlternatives() throws {
        let spec = CommandSpec(
            name: "tokenize", summary: "Tokenize", usage: "tokenize FILE | --report DIR | --a X --b Y",
            options: [OptionSpec("report", value: "DIR", help: "r"), OptionSpec("a", value: "X", help: "a"),
                      OptionSpec("b", value: "Y", help: "b"), OptionSpec("ids", help: "i")],
            positionals: [("FILE.mid", "f")], maxPositionals: 1,
            requiredInputs: [["FILE.mid"], ["report"], ["a", "b"]])
        #expect(spec.requiresInput)
        #expect(try parse(["x.mid"], spec: spec).positionals == ["x.mid"])
        #expect(try parse(["--report", "d"], spec: spec).string("report") == "d")
        #expect(try parse(["--a", "1", "--b", "2"], spec: spec).has("b"))
        #expect(throws: ArgumentError.missingInput("give FILE.mid or --report DIR or --a X and --b Y")) {
            try parse(["--ids"], spec: spec)
        }
        #expect(throws: ArgumentError.missingInput("give FILE.mid or --report DIR or --a X and --b Y")) {
            try parse(["--a", "1"], spec: spec)
        }
        #expect(try parse(["--help"], spec: spec).helpRequested)  // help needs no input
        #expect(!Self.train.requiresInput)
    }

    @Test func longOptionNamesWrapTheirHelpToTheNextLine() {
        #expect(CommandSpec.row("--a-very-long-option-name VALUE", "Help") ==
                "  --a-very-long-option-name VALUE\n                            Help\n")
    }
}
