// The ALSA sequencer backend: a client "cadenza" with port "out", one queue, events
// timestamped in real time on the queue and tagged with (bar mod 255) + 1 so a bar's
// pending events can be removed. Piano (program 0) at the start; all notes off and
// sustain off on stop. ScheduledPlayer serializes every call.

final class SequencerOutput: PlaybackOutput {
    /// The MIDI channel everything goes out on (0 = channel 1).
    static let channel = 0
    private let client: SequencerClient
    private let port: Int
    private let queue: Int
    private var startSeconds = 0.0
    private var stoppedClockSeconds = 0.0
    private var running = false

    init(client: SequencerClient, port: Int, queue: Int) {
        self.client = client
        self.port = port
        self.queue = queue
    }

    /// The 8-bit event tag for a bar (0 stays for untagged events).
    static func tag(forBar bar: Int) -> UInt8 {
        UInt8(((bar % 255) + 255) % 255 + 1)
    }

    var clockSeconds: Double {
        running ? startSeconds + client.queueSeconds(queue) : stoppedClockSeconds
    }

    func startClock(atSeconds seconds: Double) {
        if running { client.stopQueue(queue) }
        client.removeQueuedEvents(queue: queue, tag: nil)
        startSeconds = seconds
        client.output(.programChange(channel: Self.channel, program: 0), fromPort: port, queue: queue, atQueueSeconds: nil, tag: 0)
        client.drain()
        client.startQueue(queue)
        running = true
    }

    func stopClock() {
        guard running else { return }
        stoppedClockSeconds = clockSeconds
        client.stopQueue(queue)
        running = false
    }

    func enqueue(_ events: [PlaybackEvent]) {
        for event in events {
            let message: SequencerMessage
            switch event.kind {
            case .noteOn(let pitch, let velocity): message = .noteOn(channel: Self.channel, pitch: pitch, velocity: velocity)
            case .noteOff(let pitch): message = .noteOff(channel: Self.channel, pitch: pitch)
            }
            client.output(message, fromPort: port, queue: queue, atQueueSeconds: event.seconds - startSeconds,
                          tag: Self.tag(forBar: event.bar))
        }
        client.drain()
    }

    func removeQueued(bar: Int) {
        client.removeQueuedEvents(queue: queue, tag: Self.tag(forBar: bar))
    }

    func removeAllQueued() {
        client.removeQueuedEvents(queue: queue, tag: nil)
    }

    func silence() {
        for (cc, value) in [(64, 0), (123, 0)] {   // sustain off, all notes off
            client.output(.controller(channel: Self.channel, number: cc, value: value), fromPort: port, queue: queue,
                          atQueueSeconds: nil, tag: 0)
        }
        client.drain()
    }

    func close() {
        stopClock()
        removeAllQueued()
        silence()
        client.close()
    }
}
