// The composer's signal handling: SIGQUIT (Ctrl-\) is recorded like SIGTERM, so the app
// restores the terminal and saves a recovery file instead of dumping core.
import Foundation
import Testing
@testable import TUI

@Suite struct SignalFlagTests {
    @Test func sigquitIsRecordedAndNamed() throws {
        #expect(SignalFlag.handled.contains(SIGQUIT) && SignalFlag.handled.contains(SIGTERM))
        #expect(SignalFlag.describe(SIGQUIT) == "quit (Ctrl-\\)")
        #expect(SignalFlag.describe(SIGTERM) == "terminated")
        let flag = SignalFlag()
        flag.install()
        // Give the default actions back afterwards: the test process must stay interruptible.
        defer { for s in SignalFlag.handled { signal(s, SIG_DFL) } }
        // The dispatch source registers asynchronously (until then the signal is ignored): repeat.
        for _ in 0..<200 where flag.received == nil {
            kill(getpid(), SIGQUIT)
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(flag.received == SIGQUIT)
    }
}
