// A terminal for driving the real app loop in tests, without a tty or ncurses: it plays a
// script of keys, each pressed when a condition on the screen holds (the screen shows 3
// bars, say), and keeps every grid drawn. A step that waits past its deadline ends the
// loop with Ctrl-C and records what the screen showed, so a test fails with a reason
// instead of hanging.
import Foundation
@testable import TUI

final class FakeTerminal: TerminalDevice {
    /// One scripted moment: when `until` holds on the terminal, `then` runs and `key` is pressed.
    struct Step {
        var what: String
        var until: (FakeTerminal) -> Bool
        var then: ((FakeTerminal) -> Void)?
        var key: Key?
    }

    var width: Int
    var height: Int
    let colourDepth: ColourDepth = .none
    /// The newest grids the app drew, oldest first (the last `keptFrames`: a second of
    /// frames is 60 grids), and the size of every frame drawn.
    private(set) var frames: [CellGrid] = []
    private(set) var frameSizes: [(width: Int, height: Int)] = []
    let keptFrames = 120
    var frameCount: Int { frameSizes.count }
    private(set) var closeCount = 0
    /// Why the script gave up (a step's deadline passed), with the screen at the time.
    private(set) var failure: String?
    private var steps: [Step] = []
    private var stepStarted: Double?
    /// The frame count when the current step began (for "N frames since" conditions).
    private(set) var framesAtStepStart = 0
    let deadlineSeconds: Double

    init(width: Int = 100, height: Int = 24, deadlineSeconds: Double = 20) {
        self.width = width
        self.height = height
        self.deadlineSeconds = deadlineSeconds
    }

    // MARK: Scripting

    /// Presses `key` once `condition` holds (at once without one).
    func press(_ key: Key, when what: String = "", _ condition: @escaping (FakeTerminal) -> Bool = { _ in true },
               then action: ((FakeTerminal) -> Void)? = nil) {
        steps.append(Step(what: what.isEmpty ? "pressing \(key)" : what, until: condition, then: action, key: key))
    }

    func press(_ text: String) { for c in text { press(.character(c)) } }

    /// Waits for `condition` without pressing anything, then runs `action`.
    func wait(for what: String, _ condition: @escaping (FakeTerminal) -> Bool, then action: ((FakeTerminal) -> Void)? = nil) {
        steps.append(Step(what: what, until: condition, then: action, key: nil))
    }

    /// Lets `frames` more frames be drawn (a short look at something that must not change).
    func watch(frames count: Int, then action: ((FakeTerminal) -> Void)? = nil) {
        steps.append(Step(what: "\(count) frames", until: { $0.frameCount - $0.framesAtStepStart >= count }, then: action, key: nil))
    }

    /// Changes the size and delivers the resize key, as ncurses does on SIGWINCH.
    func resize(width: Int, height: Int) {
        steps.append(Step(what: "resize to \(width)x\(height)", until: { _ in true },
                          then: { $0.width = width; $0.height = height }, key: .resize))
    }

    var scriptIsDone: Bool { steps.isEmpty }

    // MARK: Reading the screen

    var lastFrame: CellGrid? { frames.last }

    /// The last grid as text, one line a row.
    var screen: String {
        guard let grid = frames.last else { return "(nothing drawn)" }
        return grid.text
    }

    /// The accepted bars the status line shows ("bars 3"), if it shows them.
    var barsShown: Int? {
        guard let range = screen.range(of: " bars ") else { return nil }
        return Int(screen[range.upperBound...].prefix(while: \.isNumber))
    }

    func shows(_ text: String) -> Bool { screen.contains(text) }

    // MARK: TerminalDevice

    func readKey(timeoutMilliseconds: Int) -> Key? {
        guard let step = steps.first else {
            // The script has ended but the app has not: give up rather than hang.
            failure = failure ?? "the script ended and the app still runs; screen:\n\(screen)"
            return .interrupt
        }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if stepStarted == nil { stepStarted = now; framesAtStepStart = frameCount }
        if step.until(self) {
            steps.removeFirst()
            stepStarted = nil
            step.then?(self)
            if let key = step.key { return key }
            return nil
        }
        if now - stepStarted! > deadlineSeconds {
            failure = "gave up after \(deadlineSeconds) s waiting for \(step.what); screen:\n\(screen)"
            steps = []
            return .interrupt
        }
        Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 5)) / 1000)
        return nil
    }

    func draw(_ grid: CellGrid, theme: Theme, probabilityMode: Bool) {
        frames.append(grid)
        if frames.count > keptFrames { frames.removeFirst(frames.count - keptFrames) }
        frameSizes.append((grid.width, grid.height))
    }

    func close() { closeCount += 1 }
}
