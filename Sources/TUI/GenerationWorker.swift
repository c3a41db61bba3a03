// The generation thread: it alone touches the CompositionSession. The UI thread posts
// requests (settings, regenerate, rewind, accept, new piece) and reads the latest
// snapshot; the worker samples token by token between requests, up to a bar limit that
// keeps the writing a few bars ahead of the playhead. No ncurses, no drawing here.

import Foundation
import Generation
import Tokenization

public final class GenerationWorker: @unchecked Sendable {
    public enum Request: Sendable {
        case settings(SamplingSettings)
        /// The key of the bars written from now on; without one, `free` lets the model modulate.
        case key(MusicalKey?, free: Bool)
        case regenerate(bar: Int)
        case selectTake(bar: Int, take: Int)
        case rewind
        case acceptCandidate
        case undo, redo
        /// A person plays from bar k: drop the model's bars from there.
        case cut(fromBar: Int)
        /// What the person played, as bars of tokens, put in at bar k.
        case insertPlayed([[Int]], atBar: Int)
        /// Replace the session (a new piece); the closure builds it on the worker thread.
        case replaceSession(@Sendable () throws -> CompositionSession)
    }

    /// What the UI reads: the newest snapshot and a few facts about the writing.
    public struct Published: Sendable {
        public var snapshot: SessionSnapshot
        public var tokensPerSecond: Double
        /// The candidate is complete and waits for acceptance (auto-accept off).
        public var waitingForAccept: Bool
        /// The model is as far ahead of the playhead as allowed and waits for it.
        public var waitingForPlayhead: Bool
        /// Messages for the status line, oldest first ("bar 3: take 2 of 2").
        public var messages: [String]
        /// Settings and key put back by an undo or redo, for the UI to show (taken once).
        public var restoredSettings: SamplingSettings?
        public var restoredKey: KeyChoice?
        /// Why writing stopped for good (a model whose logits are not numbers); the app ends.
        public var failure: String?
    }

    private let lock = NSLock()
    private let wake = NSCondition()
    private var session: CompositionSession
    private var requests: [Request] = []
    private var published: Published
    private var pendingMessages: [String] = []
    private var history = EditHistory()
    private var restoredSettings: SamplingSettings?
    private var restoredKey: KeyChoice?
    private var running = true
    private var thread: Thread?
    // Controls set by the UI.
    private var paused = false
    private var autoAccept = true
    private var barLimit = 4
    // Tokens per second over the last second of writing.
    private var stepTimes: [Double] = []
    /// Set when sampling failed; no more tokens are written.
    private var failure: String?

    public init(session: CompositionSession) {
        self.session = session
        published = Published(snapshot: session.snapshot(), tokensPerSecond: 0, waitingForAccept: false,
                              waitingForPlayhead: false, messages: [], failure: nil)
    }

    public func start() {
        let t = Thread { [weak self] in self?.run() }
        t.name = "cadenza-generation"
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    public func stop() {
        lock.lock(); running = false; lock.unlock()
        signal()
    }

    public func post(_ request: Request) {
        lock.lock(); requests.append(request); lock.unlock()
        signal()
    }

    /// Writing controls: pause, auto-accept, and how many accepted bars may exist.
    public func setControls(paused: Bool, autoAccept: Bool, barLimit: Int) {
        lock.lock()
        let changed = paused != self.paused || autoAccept != self.autoAccept || barLimit != self.barLimit
        self.paused = paused; self.autoAccept = autoAccept; self.barLimit = barLimit
        lock.unlock()
        if changed { signal() }
    }

    /// The newest snapshot; takes the pending messages.
    public func take() -> Published {
        lock.lock(); defer { lock.unlock() }
        let out = published
        published.messages = []
        published.restoredSettings = nil
        published.restoredKey = nil
        return out
    }

    /// Runs `body` on the session under the worker's lock (for saving from the UI thread:
    /// the worker holds the same lock while it touches the session).
    public func withSession<T>(_ body: (CompositionSession) throws -> T) rethrows -> T {
        sessionLock.lock(); defer { sessionLock.unlock() }
        return try body(session)
    }
    private let sessionLock = NSLock()

    private func signal() {
        wake.lock(); wake.signal(); wake.unlock()
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func run() {
        var lastPublish = 0.0
        while true {
            lock.lock()
            let isRunning = running
            let pending = requests
            requests = []
            let isPaused = paused, accepts = autoAccept, limit = barLimit
            lock.unlock()
            if !isRunning { return }

            sessionLock.lock()
            for request in pending { apply(request) }
            var wrote = false
            var completed = false
            let s = session
            if !isPaused && failure == nil {
                if s.hasCandidate && s.candidateIsComplete {
                    if accepts { s.acceptCandidate(); completed = true }
                } else if s.hasCandidate || s.acceptedBarCount < limit {
                    do {
                        if let event = try s.step() {
                            wrote = true
                            stepTimes.append(Self.now())
                            if event.completesBar && accepts { s.acceptCandidate(); completed = true }
                        }
                    } catch {
                        failure = "\(error)"
                    }
                }
            }
            let waiting = s.hasCandidate && s.candidateIsComplete && !accepts
            let atLimit = !isPaused && !s.hasCandidate && s.acceptedBarCount >= limit
            let time = Self.now()
            let shouldPublish = !pending.isEmpty || completed || !wrote || time - lastPublish > 0.02
            var snapshot: SessionSnapshot?
            if shouldPublish { snapshot = s.snapshot() }
            sessionLock.unlock()

            if let snapshot {
                lastPublish = time
                while let first = stepTimes.first, time - first > 1.0 { stepTimes.removeFirst() }
                lock.lock()
                published.snapshot = snapshot
                // Only while writing: idle, the last rate stays on screen (it says how fast the
                // model writes, not how little it wrote in the last second while it waited).
                if wrote && !stepTimes.isEmpty { published.tokensPerSecond = Double(stepTimes.count) / max(0.05, min(1, time - stepTimes[0])) }
                published.waitingForAccept = waiting
                published.waitingForPlayhead = atLimit
                published.failure = failure
                published.messages += pendingMessages
                pendingMessages = []
                if let r = restoredSettings { published.restoredSettings = r; restoredSettings = nil }
                if let r = restoredKey { published.restoredKey = r; restoredKey = nil }
                lock.unlock()
            }
            if !wrote && !completed {
                wake.lock()
                lock.lock(); let idle = requests.isEmpty && running; lock.unlock()
                if idle { _ = wake.wait(until: Date(timeIntervalSinceNow: 0.05)) }
                wake.unlock()
            }
        }
    }

    /// Carries out one request on the session (worker thread, session lock held).
    private func apply(_ request: Request) {
        switch request {
        case .settings(let settings):
            let before = session.settings
            guard settings != before else { return }
            do { try session.setSettings(settings) } catch { pendingMessages.append("\(error)"); return }
            history.record(.settings(from: before, to: settings))
        case .key(let key, let free):
            let before = KeyChoice(key: session.key, free: !session.holdsKey)
            guard before != KeyChoice(key: key, free: free) else { return }
            do { try session.setKey(key) } catch { pendingMessages.append("\(error)"); return }
            session.holdsKey = !free
            history.record(.key(from: before, to: KeyChoice(key: key, free: free)))
        case .cut(let k):
            session.cut(atBar: k)
            history = EditHistory()  // the edits named bars that are gone or will be played anew
        case .insertPlayed(let bars, let k):
            do {
                try session.insertPlayedBars(bars, atBar: k)
                history = EditHistory()  // the bars before were edited under another piece
            } catch {
                pendingMessages.append("what you played could not go in: \(error)")
            }
        case .undo:
            guard let edit = history.popUndo() else { pendingMessages.append("nothing to undo"); return }
            if undoEdit(edit) {
                history.undid(edit)
                pendingMessages.append("undid \(edit.description)")
            }
        case .redo:
            guard let edit = history.popRedo() else { pendingMessages.append("nothing to redo"); return }
            if let done = redoEdit(edit) {
                history.redid(done)
                pendingMessages.append("redid \(edit.description)")
            }
        case .regenerate(let bar):
            if bar >= session.acceptedBarCount {
                // The candidate has no takes: drop it and let the model write it again.
                if session.hasCandidate { session.rewind() }
                pendingMessages.append("rewriting bar \(bar + 1)")
                return
            }
            do {
                let before = try session.takes(ofBar: bar).selected
                let report = try session.regenerate(bar: bar)
                history.record(.take(bar: bar, from: before, to: report.take))
                let count = (try? session.takes(ofBar: bar).count) ?? report.take + 1
                pendingMessages.append("bar \(bar + 1): take \(report.take + 1) of \(count)")
            } catch {
                pendingMessages.append("bar \(bar + 1): \(error)")
            }
        case .selectTake(let bar, let take):
            do {
                let before = try session.takes(ofBar: bar).selected
                try session.selectTake(bar: bar, take: take)
                if before != take { history.record(.take(bar: bar, from: before, to: take)) }
            } catch { pendingMessages.append("\(error)") }
        case .rewind:
            // The bar on screen last: the candidate if any, else the last accepted bar.
            if let dropped = session.rewindKeepingBar() { history.record(.rewind(dropped)) }
        case .acceptCandidate:
            if !session.hasCandidate {
                pendingMessages.append("no candidate bar to accept")
            } else if !session.acceptCandidate() {
                pendingMessages.append("the candidate cannot end here yet; wait a moment")
            } else {
                history.record(.accept)
                pendingMessages.append("bar \(session.acceptedBarCount) accepted")
            }
        case .replaceSession(let make):
            do {
                session = try make()
                stepTimes = []
                history = EditHistory()
            } catch {
                pendingMessages.append("new piece failed: \(error)")
            }
        }
    }

    /// Undoes `edit` on the session; false (with a message) when the piece has moved on
    /// so that it no longer applies.
    private func undoEdit(_ edit: Edit) -> Bool {
        switch edit {
        case .take(let bar, let from, _):
            do { try session.selectTake(bar: bar, take: from) } catch {
                pendingMessages.append("cannot undo \(edit.description): \(error)"); return false
            }
        case .rewind(let dropped):
            guard session.restore(dropped) else {
                pendingMessages.append("cannot undo \(edit.description): bars were written after it"); return false
            }
        case .accept:
            guard session.unacceptLastBar() else { pendingMessages.append("nothing to un-accept"); return false }
        case .key(let from, _):
            try? session.setKey(from.key)
            session.holdsKey = !from.free
            restoredKey = from
        case .settings(let from, _):
            try? session.setSettings(from)  // they were the session's, so valid
            restoredSettings = from
        }
        return true
    }

    /// Does `edit` again; returns the edit as it now stands in the history (a redone rewind
    /// holds the bar it dropped this time), or nil with a message when it no longer applies.
    private func redoEdit(_ edit: Edit) -> Edit? {
        switch edit {
        case .take(let bar, _, let to):
            do { try session.selectTake(bar: bar, take: to) } catch {
                pendingMessages.append("cannot redo \(edit.description): \(error)"); return nil
            }
            return edit
        case .rewind:
            guard let dropped = session.rewindKeepingBar() else { pendingMessages.append("nothing to rewind"); return nil }
            return .rewind(dropped)
        case .accept:
            guard session.hasCandidate, session.acceptCandidate() else {
                pendingMessages.append("cannot redo \(edit.description): no candidate"); return nil
            }
            return edit
        case .key(_, let to):
            try? session.setKey(to.key)
            session.holdsKey = !to.free
            restoredKey = to
            return edit
        case .settings(_, let to):
            try? session.setSettings(to)  // they were the session's, so valid
            restoredSettings = to
            return edit
        }
    }
}
