// Every error the terminal composer reports: bad theme files, unknown themes, takes that
// cannot be written, a terminal that cannot be opened. Messages say what to do next.

public enum ComposerError: Error, Equatable, CustomStringConvertible {
    case themeSyntax(file: String, line: Int, message: String)
    case unknownTheme(name: String, available: [String])
    case cannotWrite(path: String, reason: String)
    case terminal(String)
    case badOption(String)

    public var description: String {
        switch self {
        case .themeSyntax(let file, let line, let message):
            return "\(file):\(line): \(message); using the default theme"
        case .unknownTheme(let name, let available):
            return "no theme named '\(name)'; available: \(available.joined(separator: ", "))"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason); check the directory exists and is writable (--takes-dir)"
        case .terminal(let message):
            return "terminal: \(message)"
        case .badOption(let message):
            return message
        }
    }
}
