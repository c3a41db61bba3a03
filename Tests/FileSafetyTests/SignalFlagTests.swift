// The one signal flag of train, play and the composer: the first signal is recorded (SIGQUIT
// like SIGTERM, so the composer restores the terminal instead of dumping core), and with
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
        let flag = SignalFlag()
        flag.install([SIGQUIT, SIGUSR1])
        // Give the default actions back afterwards: the test process must stay interruptible.
        defer { for s in [SIGQUIT, SIGUSR1] { signal(s, SIG_DFL) } }
        #expect(flag.received == nil && !flag.isSet)
        send(SIGQUIT) { flag.isSet }
        send(SIGUSR1) { false }  // the first one stays
        #expect(flag.received == SIGQUIT && flag.isSet)
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
