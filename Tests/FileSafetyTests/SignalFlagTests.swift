// The one signal flag of train, play and the composer: the first signal is recorded (SIGQUIT
// is among the handled ones, like SIGTERM, so the composer restores the terminal instead of
// dumping core; tests/cli and the composer tests send it for real), and with
// secondSignalExits a repeated signal ends the process at once with 128 + the signal.
import Foundation
import Testing
@testable import FileSafety

/// Sends `signal` to the process (test threads block signals, so `raise` would leave it
/// pending) and waits until `done` or two seconds.
func send(_ signal: Int32, until done: () -> Bool) {
    kill(getpid(), signal)
    for _ in 0..<200 where !done() { usleep(10_000) }
}

@Suite(.serialized) struct SignalFlagTests {
    @Test func theFirstSignalIsRecordedAndNamed() throws {
        #expect(SignalFlag.handled.contains(SIGQUIT) && SignalFlag.handled.contains(SIGTERM))
        #expect(SignalFlag.describe(SIGQUIT) == "quit (Ctrl-\\)")
        #expect(SignalFlag.describe(SIGTERM) == "terminated")
        // SIGUSR1 and SIGUSR2 stand for the real ones: tests running beside this one (the
        // composer's launcher) hold SIGQUIT and SIGINT.
        let flag = SignalFlag()
        #expect(flag.received == nil)  // not installed: hears nothing
        flag.install([SIGUSR1, SIGUSR2])
        defer { for s in [SIGUSR1, SIGUSR2] { signal(s, SIG_DFL) } }
        #expect(flag.received == nil && !flag.isSet)
        send(SIGUSR1) { flag.isSet }
        send(SIGUSR2) { false }  // the first one stays
        #expect(flag.received == SIGUSR1 && flag.isSet)
        #expect(SignalFlag().received == nil)  // another flag, never installed, hears nothing
    }

    @Test func aSecondSignalExitsAtOnceWhenAsked() async {
        await #expect(processExitsWith: .exitCode(128 + SIGUSR2)) {
            let flag = SignalFlag()
            flag.install([SIGUSR2], secondSignalExits: true)
            send(SIGUSR2) { flag.isSet }
            guard flag.received == SIGUSR2 else { exit(1) }  // the first is only recorded
            send(SIGUSR2) { false }
            exit(2)  // not reached
        }
    }
}
