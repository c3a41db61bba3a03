import Foundation

// Declarations of a command line: a subcommand's options and positional arguments,
// and the help text generated from them. Parsing is in ArgumentParser.swift.

public struct OptionSpec: Sendable {
    /// Kebab-case name without dashes, e.g. "batch-size".
    public var name: String
    /// Other accepted spellings, e.g. ["batch_size"] (the Python scripts' spelling).
    public var aliases: [String]
    /// Nil for a flag (no value); else the value's placeholder for help, e.g. "N".
    public var valueName: String?
    public var help: String
    /// The value an option has when not given (`ParsedArguments.string` and the typed
    /// lookups return it), shown in help as "(default: ...)".
    public var defaultValue: String?
    /// Shown in help as "(default: ...)" when the default is not a value (e.g. "a random
    /// seed, printed"); the command decides.
    public var defaultNote: String?
    public var defaultDescription: String? { defaultNote ?? defaultValue }
    /// A single-letter short form, e.g. "o" for -o.
    public var short: Character?

    public init(_ name: String, value valueName: String? = nil, aliases: [String] = [], short: Character? = nil,
                default defaultValue: String? = nil, defaultNote: String? = nil, help: String) {
        precondition(valueName != nil || defaultValue == nil, "the flag --\(name) cannot have a default value")
        self.name = name
        self.aliases = aliases
        self.valueName = valueName
        self.help = help
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.short = short
    }

    public var isFlag: Bool { valueName == nil }

    /// Snake-case twin of a kebab-case name ("save-dir" -> "save_dir"), accepted automatically.
    var allSpellings: [String] {
        var all = [name] + aliases
        let snake = name.replacingOccurrences(of: "-", with: "_")
        if snake != name && !all.contains(snake) { all.append(snake) }
        return all
    }
}

/// The exit statuses every command uses, one meaning each (documented in every --help).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The command could not do its work: a file cannot be read or written, a model is wrong.
    public static let failure: Int32 = 1
    /// The command line is wrong: an unknown option, a missing or bad value, a missing input.
    public static let usage: Int32 = 2
    /// A device cannot open (the ALSA sequencer, a PCM device, a port).
    public static let deviceUnavailable: Int32 = 3
    /// Stopped by Ctrl-C (128 + SIGINT, what a shell reports for a process the signal ended).
    public static let interrupted: Int32 = 130

    /// What each status means, in the order help lists them.
    public static let meanings: [(Int32, String)] = [
        (success, "done"),
        (failure, "failed (a file cannot be read or written, a model is wrong)"),
        (usage, "usage error (unknown option, missing or bad value, missing input)"),
        (deviceUnavailable, "a device cannot open (ALSA sequencer, PCM device, port)"),
        (interrupted, "stopped by Ctrl-C"),
    ]
}

public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    /// Usage line after "cadenza", e.g. "info FILE... [--json]".
    public var usage: String
    public var options: [OptionSpec]
    /// Names of positional arguments for help, e.g. ["FILE..."].
    public var positionalHelp: [(String, String)]
    public var minPositionals: Int
    public var maxPositionals: Int?
    /// Extra paragraphs printed after the options (examples, notes).
    public var discussion: String
    /// The inputs the command cannot run without, as alternatives: at least one list must be
    /// given whole. A name is an option's name, or a positional's help name ("FILE.mid") for
    /// "at least one positional". Empty: the command runs without input. Checked by the parser.
    public var requiredInputs: [[String]]
    /// Exit statuses besides 0, 1, 2 and 130 that this command uses (3: a device cannot open).
    public var usesDevices: Bool

    public init(name: String, summary: String, usage: String, options: [OptionSpec] = [],
                positionals: [(String, String)] = [], minPositionals: Int = 0, maxPositionals: Int? = 0,
                requiredInputs: [[String]] = [], usesDevices: Bool = false, discussion: String = "") {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options
        self.positionalHelp = positionals
        self.minPositionals = minPositionals
        self.maxPositionals = maxPositionals
        self.discussion = discussion
        self.requiredInputs = requiredInputs
        self.usesDevices = usesDevices
    }

    /// True when the command refuses to run without arguments (a positional or an input option).
    public var requiresInput: Bool { minPositionals > 0 || !requiredInputs.isEmpty }

    /// How an input is spelled in messages: "--data DIR" for an option, "FILE.mid" for a positional.
    func spelling(of input: String) -> String {
        guard let option = options.first(where: { $0.name == input }) else { return input }
        return "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
    }

    /// "give --data DIR or --resume FILE" for the required inputs.
    var requiredInputsDescription: String {
        "give " + requiredInputs.map { $0.map(spelling(of:)).joined(separator: " and ") }.joined(separator: " or ")
    }

    /// The "Exit status" paragraph of every help text.
    public func exitStatusText() -> String {
        let meanings = ExitStatus.meanings.filter { usesDevices || $0.0 != ExitStatus.deviceUnavailable }
        return "Exit status:\n" + meanings.map { code, meaning in
            "  \(code)" + String(repeating: " ", count: 5 - String(code).count) + meaning + "\n"
        }.joined()
    }

    public func helpText(program: String = "cadenza") -> String {
        var out = "\(summary)\n\nUsage: \(program) \(usage)\n"
        if !positionalHelp.isEmpty {
            out += "\nArguments:\n"
            for (name, help) in positionalHelp { out += Self.row(name, help) }
        }
        out += "\nOptions:\n"
        for option in options {
            var left = option.short.map { "-\($0), " } ?? ""
            left += "--\(option.name)"
            if let v = option.valueName { left += " \(v)" }
            var help = option.help
            if let d = option.defaultDescription { help += " (default: \(d))" }
            if !option.aliases.isEmpty { help += " [also: \(option.aliases.map { "--\($0)" }.joined(separator: ", "))]" }
            out += Self.row(left, help)
        }
        out += Self.row("-h, --help", "Show this help")
        if !discussion.isEmpty { out += "\n\(discussion)\n" }
        out += "\n" + exitStatusText()
        return out
    }

    public static func row(_ left: String, _ right: String) -> String {
        let pad = left.count < 26 ? String(repeating: " ", count: 26 - left.count) : "\n" + String(repeating: " ", count: 28)
        return "  \(left)\(pad)\(right)\n"
    }
}
