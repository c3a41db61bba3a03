// The backend when nothing can sound: a clock that runs (so a playhead moves and
// `untilSeconds` ends playback) and a queue that drops everything. The time source is
// injected; the factory passes a monotonic clock.

final class SilentOutput: PlaybackOutput {
    private let nowSeconds: () -> Double
    private var startedAtSeconds: Double?
    private var baseSeconds = 0.0

    init(nowSeconds: @escaping () -> Double) {
        self.nowSeconds = nowSeconds
    }

    var clockSeconds: Double {
        guard let started = startedAtSeconds else { return baseSeconds }
        return baseSeconds + (nowSeconds() - started)
    }

    func startClock(atSeconds seconds: Double) {
        baseSeconds = seconds
        startedAtSeconds = nowSeconds()
    }

    func stopClock() {
        baseSeconds = clockSeconds
        startedAtSeconds = nil
    }

    func enqueue(_ events: [PlaybackEvent]) {}
    func removeQueued(bar: Int) {}
    func removeAllQueued() {}
    func silence() {}
    func close() {}
}
