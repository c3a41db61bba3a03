import Foundation

// Parses one subcommand's arguments against its CommandSpec: `--opt value`,
// `--opt=value`, `-o value`, flags, `--` to end options, positionals anywhere.
// Unknown options get a "did you mean" suggestion by edit distance.

public enum ArgumentError: Error, Equatable, CustomStringConvertible {
    case unknownCommand(String, suggestion: String?)
    case unknownOption(String, suggestion: String?)
    case missingValue(option: String)
    case unexpectedValue(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case missingPositional(String)
    case missingInput(String)
    case tooManyPositionals(String)
    case conflict(String)

    public var description: String {
        switch self {
        case .unknownCommand(let c, let s):
            return "unknown command '\(c)'" + (s.map { "; did you mean '\($0)'?" } ?? "") + " (see 'cadenza --help')"
        case .unknownOption(let o, let s):
            return "unknown option '\(o)'" + (s.map { "; did you mean '--\($0)'?" } ?? "")
        case .missingValue(let o): return "option '--\(o)' needs a value"
        case .unexpectedValue(let o): return "option '--\(o)' is a flag and takes no value"
        case .invalidValue(let o, let v, let e): return "invalid value '\(v)' for '--\(o)': expected \(e)"
        case .missingPositional(let p): return "missing argument \(p)"
        case .missingInput(let m): return "missing input: \(m)"
        case .tooManyPositionals(let p): return "unexpected argument '\(p)'"
        case .conflict(let m): return m
        }
    }
}

/// What the command line said, looked up by the names its CommandSpec declares: a value
/// not given is the option's declared default (one place for a name's default and help),
/// and looking up a name the spec does not declare is a programming error that stops the
/// program (a typo in a command's code must not read as "not given").
public struct ParsedArguments: Sendable {
    public private(set) var values: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []
    public var helpRequested = false
    /// The spec's options by name.
    let declared: [String: OptionSpec]

    public init(spec: CommandSpec) {
        declared = Dictionary(spec.options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether the command declares `name` (for code shared by commands that do and do not).
    public func declares(_ name: String) -> Bool { declared[name] != nil }

    private func option(_ name: String) -> OptionSpec {
        guard let option = declared[name] else { preconditionFailure("lookup of the undeclared option '--\(name)'") }
        return option
    }

    public func flag(_ name: String) -> Bool { _ = option(name); return flags.contains(name) }
    /// Whether the user gave the option (its declared default does not count).
    public func has(_ name: String) -> Bool { _ = option(name); return values[name] != nil || flags.contains(name) }
    /// The last value given for an option (a later `--x` overrides an earlier one), else its
    /// declared default, else nil.
    public func string(_ name: String) -> String? { values[name]?.last ?? option(name).defaultValue }
    public func strings(_ name: String) -> [String] { values[name] ?? option(name).defaultValue.map { [$0] } ?? [] }

    /// The integer given or declared as default; nil when neither.
    public func optionalInt(_ name: String) throws -> Int? {
        guard let s = string(name) else { return nil }
        guard let v = Int(s) else { throw ArgumentError.invalidValue(option: name, value: s, expected: "an integer") }
        return v
    }
    /// The number given or declared as default; nil when neither.
    public func optionalDouble(_ name: String) throws -> Double? {
        guard let s = string(name) else { return nil }
        guard let v = Double(s), v.isFinite else { throw ArgumentError.invalidValue(option: name, value: s, expected: "a number") }
        return v
    }
    /// The integer given, else the declared default; an option with neither needs a value.
    public func int(_ name: String) throws -> Int {
        guard let v = try optionalInt(name) else { throw ArgumentError.missingValue(option: name) }
        return v
    }
    /// The number given, else the declared default; an option with neither needs a value.
    public func double(_ name: String) throws -> Double {
        guard let v = try optionalDouble(name) else { throw ArgumentError.missingValue(option: name) }
        return v
    }

    mutating func add(_ name: String, value: String) { values[name, default: []].append(value) }
    mutating func addFlag(_ name: String) { flags.insert(name) }
    mutating func addPositional(_ p: String) { positionals.append(p) }
}

public enum ArgumentParser {
    public static func parse(_ arguments: [String], spec: CommandSpec) throws -> ParsedArguments {
        var result = ParsedArguments(spec: spec)
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let arg = arguments[index]
            index += 1
            if optionsEnded || arg == "-" || !arg.hasPrefix("-") || isNegativeNumber(arg) {
                result.addPositional(arg)
                continue
            }
            if arg == "--" { optionsEnded = true; continue }
            if arg == "--help" || arg == "-h" { result.helpRequested = true; continue }
            var name: String
            var inlineValue: String?
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq]); inlineValue = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
            } else {
                let body = arg.dropFirst()
                guard body.count == 1, let option = spec.options.first(where: { $0.short == body.first }) else {
                    throw ArgumentError.unknownOption(arg, suggestion: nil)
                }
                name = option.name
            }
            guard let option = spec.options.first(where: { $0.allSpellings.contains(name) }) else {
                throw ArgumentError.unknownOption("--\(name)", suggestion: suggestion(for: name, among: spec.options.map(\.name)))
            }
            if option.isFlag {
                if inlineValue != nil { throw ArgumentError.unexpectedValue(option: option.name) }
                result.addFlag(option.name)
                continue
            }
            if let v = inlineValue {
                result.add(option.name, value: v)
            } else {
                guard index < arguments.count, !looksLikeOption(arguments[index]) else {
                    throw ArgumentError.missingValue(option: option.name)
                }
                result.add(option.name, value: arguments[index])
                index += 1
            }
        }
        if result.helpRequested { return result }
        if result.positionals.count < spec.minPositionals {
            let name = spec.positionalHelp.dropFirst(result.positionals.count).first?.0 ?? "argument"
            throw ArgumentError.missingPositional(name)
        }
        if let max = spec.maxPositionals, result.positionals.count > max {
            throw ArgumentError.tooManyPositionals(result.positionals[max])
        }
        if !spec.requiredInputs.isEmpty {
            let positionalNames = Set(spec.positionalHelp.map(\.0))
            let given = { (input: String) in positionalNames.contains(input) ? !result.positionals.isEmpty : result.has(input) }
            guard spec.requiredInputs.contains(where: { $0.allSatisfy(given) }) else {
                throw ArgumentError.missingInput(spec.requiredInputsDescription)
            }
        }
        return result
    }

    static func looksLikeOption(_ s: String) -> Bool {
        s.hasPrefix("-") && s != "-" && !isNegativeNumber(s)
    }

    static func isNegativeNumber(_ s: String) -> Bool {
        s.hasPrefix("-") && s.count > 1 && Double(s) != nil
    }

    /// The closest candidate by edit distance, if it is close enough to be a typo.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        let normalized = word.replacingOccurrences(of: "_", with: "-").lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = editDistance(normalized, c.lowercased())
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (c, d) = best else { return nil }
        let limit = max(2, min(word.count, c.count) / 3)
        if d <= limit { return c }
        if c.hasPrefix(normalized) && normalized.count >= 3 { return c }
        return nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
