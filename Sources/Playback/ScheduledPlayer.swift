// The Player every backend uses: a PlaybackScheduler over one PlaybackOutput behind a
// lock, pumped either by its own thread (sequencer, silent) or by the output's audio
// render loop (built-in synth over PCM). Does not know which backend it drives.
import Foundation

public final class ScheduledPlayer: Player, @unchecked Sendable {
    public let statusDescription: String
    public let isSilent: Bool
    /// The player makes the audio itself (the built-in piano), release and reverb tails
    /// included, instead of sending notes to a softsynth that rings on by itself.
    public let rendersAudio: Bool
    private let lock = NSLock()
    private let scheduler: PlaybackScheduler
    private let output: PlaybackOutput
    private var closed = false

    /// With `pumpIntervalSeconds`, a thread pumps the scheduler that often; without,
    /// the owner calls `pump()` (the PCM render loop does, once per period).
    public init(output: PlaybackOutput, statusDescription: String, isSilent: Bool = false, rendersAudio: Bool = false,
                lookaheadSeconds: Double = 2.0, pumpIntervalSeconds: Double? = 0.02) {
        self.output = output
        self.statusDescription = statusDescription
        self.isSilent = isSilent
        self.rendersAudio = rendersAudio
        self.scheduler = PlaybackScheduler(output: output, lookaheadSeconds: lookaheadSeconds)
        if let interval = pumpIntervalSeconds { startPumpThread(intervalSeconds: interval) }
    }

    public var state: PlaybackState { locked { scheduler.state } }
    public var positionSeconds: Double { locked { scheduler.positionSeconds } }
    public var endSeconds: Double { locked { scheduler.endSeconds } }
    /// Backend measurements (the PCM loop's underruns and render slack), if any.
    public var diagnostics: String? { locked { output.diagnostics } }

    public func schedule(bar: Int, notes: [PlaybackNote]) { locked { if !closed { scheduler.schedule(bar: bar, notes: notes) } } }
    public func removeBar(_ bar: Int) { locked { if !closed { scheduler.removeBar(bar) } } }
    public func removeAllBars() { locked { if !closed { scheduler.removeAllBars() } } }
    public func play(fromSeconds: Double, untilSeconds: Double?) {
        locked { if !closed { scheduler.play(fromSeconds: fromSeconds, untilSeconds: untilSeconds) } }
    }
    public func resume() { locked { if !closed { scheduler.resume() } } }
    public func pause() { locked { if !closed { scheduler.pause() } } }
    public func stop() { locked { if !closed { scheduler.stop() } } }
    public func pump() { locked { if !closed { scheduler.pump() } } }

    public func close() {
        let wasOpen: Bool = locked {
            guard !closed else { return false }
            if scheduler.state == .playing { scheduler.stop() }
            closed = true
            return true
        }
        // Outside the lock: the output may wait for its render thread, which pumps us.
        if wasOpen { output.close() }
    }

    deinit { close() }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// One pump of the thread; false once the player is closed or gone.
    private static func pumpOnce(_ player: ScheduledPlayer?) -> Bool {
        guard let player else { return false }
        return player.locked {
            if !player.closed { player.scheduler.pump() }
            return !player.closed
        }
    }

    private func startPumpThread(intervalSeconds: Double) {
        let micros = useconds_t(max(1_000, min(1_000_000, intervalSeconds * 1_000_000)))
        let thread = Thread { [weak self] in
            while ScheduledPlayer.pumpOnce(self) { usleep(micros) }
        }
        thread.name = "cadenza playback pump"
        thread.start()
    }
}

extension PlaybackOutput {
    /// Backend measurements for a report (nil for most backends).
    public var diagnostics: String? { nil }
}
