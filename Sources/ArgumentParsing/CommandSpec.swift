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
    /// Shown in help as "(default: ...)"; not applied by the parser.
    public var defaultDescription: String?
    /// A single-letter short form, e.g. "o" for -o.
    public var short: Character?

    public init(_ name: String, value valueName: String? = nil, aliases: [String] = [], short: Character? = nil,
                default defaultDescription: String? = nil, help: String) {
        self.name = name
        self.aliases = aliases
        self.valueName = valueName
        self.help = help
        self.defaultDescription = defaultDescription
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

    public init(name: String, summary: String, usage: String, options: [OptionSpec] = [],
                positionals: [(String, String)] = [], minPositionals: Int = 0, maxPositionals: Int? = 0,
                discussion: String = "") {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options
        self.positionalHelp = positionals
        self.minPositionals = minPositionals
        self.maxPositionals = maxPositionals
        self.discussion = discussion
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
        return out
    }

    public static func row(_ left: String, _ right: String) -> String {
        let pad = left.count < 26 ? String(repeating: " ", count: 26 - left.count) : "\n" + String(repeating: " ", count: 28)
        return "  \(left)\(pad)\(right)\n"
    }
}
