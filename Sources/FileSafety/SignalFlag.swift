// The one way a command stops cleanly on a signal (train's Ctrl-C, play's stop, the
// composer's exit): a plain handler records the first signal in one sig_atomic_t (the
// only async-signal-safe thing it does) and the command polls `received` at a safe point:
// after a training step, between playback polls, in the app loop. A plain handler, not a
// dispatch source, so a signal stops the command even where the shell started it with the
// signal ignored (a background job). With `secondSignalExits` a repeated signal does not
// wait: the temporary files being written are removed and the process exits 128 + signal.
// One process has one set of handlers, so the flag's state is global; the flag installed
// last is the one that hears, and a flag never installed hears nothing (a test's app loop
// does not end on another test's signal).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0
nonisolated(unsafe) private var secondSignalExits: sig_atomic_t = 0
nonisolated(unsafe) private var latestInstall = 0

public final class SignalFlag: @unchecked Sendable {
    /// The signals an interactive command (the composer, play) ends on cleanly.
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Which install this flag made (0: none).
    private var installNumber = 0

    public init() {}

    /// The first signal received since this flag's `install`, if any (nil for a flag not
    /// installed, or when another flag was installed since).
    public var received: Int32? { installNumber != 0 && installNumber == latestInstall && receivedSignal != 0 ? Int32(receivedSignal) : nil }
    public var isSet: Bool { received != nil }

    /// Records `signals` instead of their default actions (SIGQUIT's would dump core with
    /// Swift's crash backtrace and the terminal raw).
    public func install(_ signals: [Int32] = SignalFlag.handled, secondSignalExits exits: Bool = false) {
        receivedSignal = 0
        secondSignalExits = exits ? 1 : 0
        latestInstall += 1
        installNumber = latestInstall
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
