// A PlaybackOutput for tests: a clock the test sets, a log of every call, and a model
// of the queue (enqueued minus removed) to ask what would be delivered by a time.
@testable import Playback

final class RecordingOutput: PlaybackOutput {
    enum Call: Equatable {
        case startClock(Double)
        case stopClock
        case enqueue([PlaybackEvent])
        case removeQueued(bar: Int)
        case removeAllQueued
        case silence
        case close
    }

    var calls: [Call] = []
    /// What the test says the time is; frozen while stopped, like a real queue.
    var clock = 0.0
    private(set) var running = false
    /// The queue model: events handed over and not removed, with delivered ones kept.
    private(set) var queued: [PlaybackEvent] = []
    /// Events that had been delivered when they were removed (their time had come).
    private(set) var delivered: [PlaybackEvent] = []

    var clockSeconds: Double { clock }

    func startClock(atSeconds seconds: Double) {
        calls.append(.startClock(seconds))
        clock = seconds
        running = true
        queued.removeAll()
    }

    func stopClock() {
        calls.append(.stopClock)
        running = false
    }

    func enqueue(_ events: [PlaybackEvent]) {
        calls.append(.enqueue(events))
        queued += events
    }

    func removeQueued(bar: Int) {
        calls.append(.removeQueued(bar: bar))
        deliverDue()
        queued.removeAll { $0.bar == bar }
    }

    func removeAllQueued() {
        calls.append(.removeAllQueued)
        deliverDue()
        queued.removeAll()
    }

    func silence() { calls.append(.silence) }
    func close() { calls.append(.close) }

    /// Moves events due by the clock from `queued` to `delivered`, as a sequencer would.
    func deliverDue() {
        delivered += queued.filter { $0.seconds <= clock }
        queued.removeAll { $0.seconds <= clock }
    }

    /// Every event ever handed over, in order.
    var enqueued: [PlaybackEvent] {
        calls.flatMap { call -> [PlaybackEvent] in
            if case .enqueue(let events) = call { return events } else { return [] }
        }
    }

    /// Every event that was or will be delivered: delivered ones, then still queued ones.
    var heard: [PlaybackEvent] { (delivered + queued).sorted(by: PlaybackEvent.precedes) }
}
