// A MIDI keyboard on the ALSA sequencer: Cadenza's input port `cadenza:in`, optionally
// connected from a given port (`--input CLIENT:PORT`; `aconnect KEYBOARD cadenza:in` works
// too). The kernel stamps events that come through a subscription with the real time of
// our own queue as they arrive; a thread turns those stamps into the monotonic clock
// (events sent straight to the port get the moment the thread read them), so what reads
// them later (the composer's 15 ms loop) still knows when each key was struck.
import Foundation

/// One key struck or released, at `seconds` on the monotonic clock.
public struct KeyboardEvent: Hashable, Sendable {
    public var pitch: Int
    /// 1...127 for a key struck, 0 for a key released.
    public var velocity: Int
    public var seconds: Double

    public init(pitch: Int, velocity: Int, seconds: Double) {
        self.pitch = pitch
        self.velocity = velocity
        self.seconds = seconds
    }
}

public final class MIDIKeyboard: @unchecked Sendable {
    public static let portName = "in"

    private let client: SequencerClient
    private let lock = NSLock()
    private var events: [KeyboardEvent] = []
    private var running = true
    private var thread: Thread?
    /// The monotonic clock when our queue's real time was 0.
    private let queueStartSeconds: Double
    /// "cadenza:in (129:0)", and where it is connected from, for the status line.
    public let statusDescription: String

    /// Opens `cadenza:in`; with `connectFrom`, subscribes it to that port ("20:0",
    /// "USB Keyboard"). Throws a PlaybackError when there is no sequencer or no such port.
    public init(connectFrom source: String? = nil) throws {
        client = try SequencerClient(name: PlaybackFactory.clientName, input: true)
        let queue = try client.allocateQueue(name: "cadenza-in", microsecondsPerQuarter: 500_000, ticksPerQuarter: 480)
        let port = try client.createTimestampedInputPort(name: Self.portName, queue: queue)
        client.startQueue(queue)
        queueStartSeconds = PlaybackFactory.monotonicSeconds()
        var status = "\(PlaybackFactory.clientName):\(Self.portName) (\(client.clientID):\(port))"
        if let source {
            guard let address = client.parseAddress(source),
                  client.ports().contains(where: { $0.client == address.client && $0.port == address.port }) else {
                client.close()
                throw PlaybackError.portNotFound(source)
            }
            try client.connect(fromClient: address.client, port: address.port, toPort: port)
            status += " ← \(address.client):\(address.port)"
        }
        statusDescription = status
        let t = Thread { [weak self] in self?.run() }
        t.name = "cadenza-keyboard"
        thread = t
        t.start()
    }

    deinit { close() }

    /// The clock the events are stamped with (monotonic seconds).
    public static func now() -> Double { PlaybackFactory.monotonicSeconds() }

    /// The events that arrived since the last call, oldest first.
    public func drain() -> [KeyboardEvent] {
        lock.lock(); defer { lock.unlock() }
        let out = events
        events = []
        return out
    }

    public func close() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        if wasRunning {
            while thread?.isFinished == false { usleep(5_000) }
            client.close()
        }
    }

    private func run() {
        while true {
            lock.lock(); let go = running; lock.unlock()
            guard go else { return }
            let notes = client.readNotes(timeoutMilliseconds: 20)
            guard !notes.isEmpty else { continue }
            let now = PlaybackFactory.monotonicSeconds()
            lock.lock()
            events += notes.map {
                KeyboardEvent(pitch: $0.pitch, velocity: $0.velocity, seconds: $0.stamp.map { min(now, queueStartSeconds + $0) } ?? now)
            }
            lock.unlock()
        }
    }
}
