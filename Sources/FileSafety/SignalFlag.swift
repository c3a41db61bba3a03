// The one way a command stops cleanly on a signal (train's Ctrl-C, play's stop, the
// composer's exit): a plain handler records the first signal in one sig_atomic_t (the
// only async-signal-safe thing it does) and the command polls `received` at a safe point:
// after a training step, between playback polls, in the app loop. A plain handler, not a
// dispatch source, so a signal stops the command even where the shell started it with the
// signal ignored (a background job). With `secondSignalExits` a repeated signal does not
// wait: the temporary files being written are removed and the process exits 128 + signal.
// One process has one set of handlers, so the flag's state is global.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0
nonisolated(unsafe) private var secondSignalExits: sig_atomic_t = 0

public final class SignalFlag: @unchecked Sendable {
    /// The signals an interactive command (the composer, play) ends on cleanly.
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    public init() {}

    /// The first signal received since `install`, if any.
    public var received: Int32? { receivedSignal == 0 ? nil : Int32(receivedSignal) }
    public var isSet: Bool { receivedSignal != 0 }

    /// Records `signals` instead of their default actions (SIGQUIT's would dump core with
    /// Swift's crash backtrace and the terminal raw).
    public func install(_ signals: [Int32] = SignalFlag.handled, secondSignalExits exits: Bool = false) {
        receivedSignal = 0
        secondSignalExits = exits ? 1 : 0
        for s in signals {
            signal(s) { number in
                if receivedSignal != 0 && secondSignalExits != 0 {
                    TemporaryFiles.removeRegistered()
                    _exit(128 + number)
                }
                if receivedSignal == 0 { receivedSignal = sig_atomic_t(number) }
            }
        }
    }

    /// How a command reports ending on `signal`.
    public static func describe(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "interrupted"
        case SIGTERM: return "terminated"
        case SIGQUIT: return "quit (Ctrl-\\)"
        case SIGHUP: return "hung up"
        default: return "signal \(signal)"
        }
    }
}
