// The only file that imports CALSA: thin Swift wrappers over the ALSA sequencer
// (client, port, queue, events, tags, port listing) and PCM (open, write with underrun
// recovery, delay, drop, drain). Policy (what to send, when) lives elsewhere; errors come
// back as PlaybackError carrying ALSA's own message.
import CALSA
import Foundation

enum ALSALibrary {
    /// Stops alsa-lib printing its own "ALSA lib ..." lines; our errors say it better.
    static func silenceLibraryMessages() { cadenza_alsa_silence_errors() }
    static func message(_ code: Int32) -> String { String(cString: snd_strerror(code)) }
}

// MARK: - Sequencer

/// One MIDI message on the sequencer.
enum SequencerMessage: Hashable {
    case noteOn(channel: Int, pitch: Int, velocity: Int)
    case noteOff(channel: Int, pitch: Int)
    case controller(channel: Int, number: Int, value: Int)
    case programChange(channel: Int, program: Int)
}

/// An open sequencer client (snd_seq_t) with helpers for one output port and one queue.
final class SequencerClient {
    private var handle: OpaquePointer?
    private var queueStatus: OpaquePointer?
    let clientID: Int

    /// Opens the sequencer and names the client. Throws `sequencerUnavailable` with the
    /// reason (here, typically: no /dev/snd/seq).
    init(name: String, input: Bool = false) throws {
        ALSALibrary.silenceLibraryMessages()
        var h: OpaquePointer?
        let rc = snd_seq_open(&h, "default", Int32(input ? SND_SEQ_OPEN_DUPLEX : SND_SEQ_OPEN_OUTPUT), input ? Int32(SND_SEQ_NONBLOCK) : 0)
        guard rc >= 0, let h else {
            let reason: String
            if rc == -ENOENT && !FileManager.default.fileExists(atPath: "/dev/snd/seq") {
                reason = "no /dev/snd/seq (load the snd-seq kernel module)"
            } else {
                reason = "snd_seq_open: \(ALSALibrary.message(rc))"
            }
            throw PlaybackError.sequencerUnavailable(reason: reason)
        }
        handle = h
        snd_seq_set_client_name(h, name)
        clientID = Int(snd_seq_client_id(h))
        // A bigger pool than the default 500 cells, so a dense bar never blocks us.
        _ = snd_seq_set_client_pool_output(h, 2000)
    }

    deinit { close() }

    func close() {
        if let s = queueStatus { snd_seq_queue_status_free(s); queueStatus = nil }
        if let h = handle { snd_seq_close(h); handle = nil }
    }

    /// Creates a port other clients can read from and subscribe to ("cadenza:out").
    func createOutputPort(name: String) throws -> Int {
        try createPort(name: name, capabilities: UInt32(SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ))
    }

    /// Creates a port other clients can write to and subscribe to ("cadenza:in").
    func createInputPort(name: String) throws -> Int {
        try createPort(name: name, capabilities: UInt32(SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE))
    }

    /// Creates "cadenza:in" whose incoming events the kernel stamps with `queue`'s real
    /// time as they arrive (for events that come through a subscription), so their timing
    /// does not depend on when our thread wakes up.
    func createTimestampedInputPort(name: String, queue: Int) throws -> Int {
        var info: OpaquePointer?
        guard snd_seq_port_info_malloc(&info) >= 0, let info else {
            throw PlaybackError.sequencerFailed(operation: "create port", reason: "out of memory")
        }
        defer { snd_seq_port_info_free(info) }
        snd_seq_port_info_set_name(info, name)
        snd_seq_port_info_set_capability(info, UInt32(SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE))
        snd_seq_port_info_set_type(info, UInt32(SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION))
        snd_seq_port_info_set_timestamping(info, 1)
        snd_seq_port_info_set_timestamp_real(info, 1)
        snd_seq_port_info_set_timestamp_queue(info, Int32(queue))
        let rc = snd_seq_create_port(handle, info)
        guard rc >= 0 else { throw PlaybackError.sequencerFailed(operation: "create port", reason: ALSALibrary.message(rc)) }
        return Int(snd_seq_port_info_get_port(info))
    }

    private func createPort(name: String, capabilities: UInt32) throws -> Int {
        let type = UInt32(SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION)
        let rc = snd_seq_create_simple_port(handle, name, capabilities, type)
        guard rc >= 0 else { throw PlaybackError.sequencerFailed(operation: "create port", reason: ALSALibrary.message(rc)) }
        return Int(rc)
    }

    /// Subscribes our port to `source`, so we receive what it sends (a keyboard's port).
    func connect(fromClient client: Int, port sourcePort: Int, toPort port: Int) throws {
        let rc = snd_seq_connect_from(handle, Int32(port), Int32(client), Int32(sourcePort))
        guard rc >= 0 else {
            throw PlaybackError.sequencerFailed(operation: "connect from \(client):\(sourcePort)", reason: ALSALibrary.message(rc))
        }
    }

    /// Waits up to `timeoutMilliseconds` for input, then returns the note events that
    /// arrived (note-offs as velocity 0), with the real-time stamp the kernel gave them on
    /// a timestamping port (nil otherwise). Needs a client opened with `input`.
    func readNotes(timeoutMilliseconds: Int32) -> [(pitch: Int, velocity: Int, stamp: Double?)] {
        let count = snd_seq_poll_descriptors_count(handle, Int16(POLLIN))
        guard count > 0 else { return [] }
        var fds = [pollfd](repeating: pollfd(), count: Int(count))
        let filled = snd_seq_poll_descriptors(handle, &fds, UInt32(count), Int16(POLLIN))
        guard filled > 0, poll(&fds, nfds_t(filled), timeoutMilliseconds) > 0 else { return [] }
        var notes: [(pitch: Int, velocity: Int, stamp: Double?)] = []
        var event: UnsafeMutablePointer<snd_seq_event_t>?
        while snd_seq_event_input(handle, &event) >= 0, let e = event {
            let type = Int32(e.pointee.type)
            let isReal = UInt32(e.pointee.flags) & UInt32(SND_SEQ_TIME_STAMP_MASK) == UInt32(SND_SEQ_TIME_STAMP_REAL)
            let stamp = isReal ? Double(e.pointee.time.time.tv_sec) + Double(e.pointee.time.time.tv_nsec) / 1e9 : nil
            if type == Int32(SND_SEQ_EVENT_NOTEON.rawValue) {
                notes.append((Int(e.pointee.data.note.note), Int(e.pointee.data.note.velocity), stamp))
            } else if type == Int32(SND_SEQ_EVENT_NOTEOFF.rawValue) {
                notes.append((Int(e.pointee.data.note.note), 0, stamp))
            }
        }
        return notes
    }

    /// A queue with the given tempo (µs per quarter) and resolution (ticks per quarter).
    func allocateQueue(name: String, microsecondsPerQuarter: Int, ticksPerQuarter: Int) throws -> Int {
        let q = snd_seq_alloc_named_queue(handle, name)
        guard q >= 0 else { throw PlaybackError.sequencerFailed(operation: "allocate queue", reason: ALSALibrary.message(q)) }
        var tempo: OpaquePointer?
        if snd_seq_queue_tempo_malloc(&tempo) >= 0, let tempo {
            snd_seq_queue_tempo_set_tempo(tempo, UInt32(microsecondsPerQuarter))
            snd_seq_queue_tempo_set_ppq(tempo, Int32(ticksPerQuarter))
            let rc = snd_seq_set_queue_tempo(handle, q, tempo)
            snd_seq_queue_tempo_free(tempo)
            guard rc >= 0 else { throw PlaybackError.sequencerFailed(operation: "set queue tempo", reason: ALSALibrary.message(rc)) }
        }
        return Int(q)
    }

    /// Resolves "14:0", "FLUID Synth", "TiMidity:0" as aplaymidi -p does.
    func parseAddress(_ text: String) -> (client: Int, port: Int)? {
        var addr = snd_seq_addr_t()
        guard snd_seq_parse_address(handle, &addr, text) >= 0 else { return nil }
        return (Int(addr.client), Int(addr.port))
    }

    /// Subscribes `destination` to our port, so it receives what we send to subscribers.
    func connect(fromPort port: Int, toClient client: Int, port destPort: Int) throws {
        let rc = snd_seq_connect_to(handle, Int32(port), Int32(client), Int32(destPort))
        guard rc >= 0 else {
            throw PlaybackError.sequencerFailed(operation: "connect to \(client):\(destPort)", reason: ALSALibrary.message(rc))
        }
    }

    /// Every port of every client, in client then port order.
    func ports() -> [SequencerPort] {
        var clientInfo: OpaquePointer?
        var portInfo: OpaquePointer?
        guard snd_seq_client_info_malloc(&clientInfo) >= 0, let clientInfo else { return [] }
        defer { snd_seq_client_info_free(clientInfo) }
        guard snd_seq_port_info_malloc(&portInfo) >= 0, let portInfo else { return [] }
        defer { snd_seq_port_info_free(portInfo) }
        var result: [SequencerPort] = []
        snd_seq_client_info_set_client(clientInfo, -1)
        while snd_seq_query_next_client(handle, clientInfo) >= 0 {
            let client = snd_seq_client_info_get_client(clientInfo)
            let clientName = String(cString: snd_seq_client_info_get_name(clientInfo))
            let isKernel = snd_seq_client_info_get_type(clientInfo) == SND_SEQ_KERNEL_CLIENT
            snd_seq_port_info_set_client(portInfo, client)
            snd_seq_port_info_set_port(portInfo, -1)
            while snd_seq_query_next_port(handle, portInfo) >= 0 {
                let caps = snd_seq_port_info_get_capability(portInfo)
                let type = snd_seq_port_info_get_type(portInfo)
                let receive = UInt32(SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE)
                let synthBits = UInt32(SND_SEQ_PORT_TYPE_SYNTH | SND_SEQ_PORT_TYPE_SYNTHESIZER | SND_SEQ_PORT_TYPE_DIRECT_SAMPLE
                                       | SND_SEQ_PORT_TYPE_SAMPLE)
                result.append(SequencerPort(
                    client: Int(client), port: Int(snd_seq_port_info_get_port(portInfo)),
                    clientName: clientName,
                    portName: String(cString: snd_seq_port_info_get_name(portInfo)),
                    isKernelClient: isKernel,
                    canReceive: caps & receive == receive && caps & UInt32(SND_SEQ_PORT_CAP_NO_EXPORT) == 0,
                    isSynth: type & synthBits != 0,
                    isHardware: type & UInt32(SND_SEQ_PORT_TYPE_HARDWARE) != 0,
                    isApplication: type & UInt32(SND_SEQ_PORT_TYPE_APPLICATION) != 0))
            }
        }
        return result
    }

    /// Starts the queue from time zero (START resets its clock).
    func startQueue(_ queue: Int) {
        _ = snd_seq_control_queue(handle, Int32(queue), Int32(SND_SEQ_EVENT_START.rawValue), 0, nil)
        _ = snd_seq_drain_output(handle)
    }

    func stopQueue(_ queue: Int) {
        _ = snd_seq_control_queue(handle, Int32(queue), Int32(SND_SEQ_EVENT_STOP.rawValue), 0, nil)
        _ = snd_seq_drain_output(handle)
    }

    /// The queue's real-time clock in seconds since it was started.
    func queueSeconds(_ queue: Int) -> Double {
        if queueStatus == nil { _ = snd_seq_queue_status_malloc(&queueStatus) }
        guard let status = queueStatus, snd_seq_get_queue_status(handle, Int32(queue), status) >= 0,
              let time = snd_seq_queue_status_get_real_time(status) else { return 0 }
        return Double(time.pointee.tv_sec) + Double(time.pointee.tv_nsec) / 1e9
    }

    /// Puts one message in the output buffer, to our port's subscribers: on `queue` at
    /// `queueSeconds` (real time since the queue started), or directly when nil.
    func output(_ message: SequencerMessage, fromPort port: Int, queue: Int, atQueueSeconds seconds: Double?, tag: UInt8) {
        var ev = snd_seq_event_t()
        cadenza_seq_ev_clear(&ev)
        cadenza_seq_ev_set_source(&ev, Int32(port))
        cadenza_seq_ev_set_subs(&ev)
        if let seconds {
            let clamped = max(0, seconds)
            var time = snd_seq_real_time_t()
            time.tv_sec = UInt32(clamped)
            time.tv_nsec = UInt32(min(999_999_999, ((clamped - clamped.rounded(.down)) * 1e9).rounded()))
            cadenza_seq_ev_schedule_real(&ev, Int32(queue), 0, &time)
        } else {
            cadenza_seq_ev_set_direct(&ev)
        }
        switch message {
        case .noteOn(let ch, let pitch, let velocity): cadenza_seq_ev_set_noteon(&ev, Int32(ch), Int32(pitch), Int32(velocity))
        case .noteOff(let ch, let pitch): cadenza_seq_ev_set_noteoff(&ev, Int32(ch), Int32(pitch), 0)
        case .controller(let ch, let cc, let value): cadenza_seq_ev_set_controller(&ev, Int32(ch), Int32(cc), Int32(value))
        case .programChange(let ch, let program): cadenza_seq_ev_set_pgmchange(&ev, Int32(ch), Int32(program))
        }
        cadenza_seq_ev_set_tag(&ev, tag)
        _ = snd_seq_event_output(handle, &ev)
    }

    /// Sends everything in the output buffer to the kernel.
    func drain() { _ = snd_seq_drain_output(handle) }

    /// Removes our events still waiting on `queue`: all of them, or those with `tag`.
    func removeQueuedEvents(queue: Int, tag: UInt8?) {
        var remove: OpaquePointer?
        guard snd_seq_remove_events_malloc(&remove) >= 0, let remove else { return }
        defer { snd_seq_remove_events_free(remove) }
        var condition = UInt32(SND_SEQ_REMOVE_OUTPUT)
        if let tag {
            condition |= UInt32(SND_SEQ_REMOVE_TAG_MATCH)
            snd_seq_remove_events_set_tag(remove, Int32(tag))
        }
        snd_seq_remove_events_set_condition(remove, condition)
        snd_seq_remove_events_set_queue(remove, Int32(queue))
        _ = snd_seq_remove_events(handle, remove)
    }
}

// MARK: - PCM

/// An open ALSA PCM playback device: 16-bit stereo interleaved at a fixed rate.
final class PCMDevice {
    private var handle: OpaquePointer?
    let name: String
    let sampleRate: Int
    let periodFrames: Int
    let bufferFrames: Int

    /// Opens `name` for 16-bit stereo at `sampleRate` (or the nearest rate it offers),
    /// with periods of about `periodSeconds` and a buffer of `periodsPerBuffer` periods.
    init(name: String, sampleRate: Int, periodSeconds: Double, periodsPerBuffer: Int) throws {
        ALSALibrary.silenceLibraryMessages()
        self.name = name
        var h: OpaquePointer?
        let rc = snd_pcm_open(&h, name, SND_PCM_STREAM_PLAYBACK, 0)
        guard rc >= 0, let h else {
            throw PlaybackError.pcmUnavailable(device: name, reason: ALSALibrary.message(rc))
        }
        do {
            (self.sampleRate, periodFrames, bufferFrames) = try Self.configure(
                h, name: name, sampleRate: sampleRate, periodSeconds: periodSeconds, periodsPerBuffer: periodsPerBuffer)
        } catch {
            snd_pcm_close(h)
            throw error
        }
        handle = h
    }

    /// Hardware parameters (format, channels, rate, period, buffer), then software
    /// parameters: start once the buffer is full, wake when a period is free.
    private static func configure(_ h: OpaquePointer, name: String, sampleRate: Int, periodSeconds: Double,
                                  periodsPerBuffer: Int) throws -> (rate: Int, period: Int, buffer: Int) {
        func check(_ rc: Int32, _ what: String) throws {
            guard rc >= 0 else { throw PlaybackError.pcmUnavailable(device: name, reason: "\(what): \(ALSALibrary.message(rc))") }
        }
        var hw: OpaquePointer?
        try check(snd_pcm_hw_params_malloc(&hw), "hardware parameters")
        defer { snd_pcm_hw_params_free(hw) }
        try check(snd_pcm_hw_params_any(h, hw), "hardware parameters")
        _ = snd_pcm_hw_params_set_rate_resample(h, hw, 1)
        try check(snd_pcm_hw_params_set_access(h, hw, SND_PCM_ACCESS_RW_INTERLEAVED), "interleaved access")
        try check(snd_pcm_hw_params_set_format(h, hw, SND_PCM_FORMAT_S16_LE), "16-bit samples")
        try check(snd_pcm_hw_params_set_channels(h, hw, 2), "stereo")
        var rate = UInt32(sampleRate)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_near(h, hw, &rate, &dir), "sample rate \(sampleRate) Hz")
        var period = snd_pcm_uframes_t(max(32, Int(Double(rate) * periodSeconds)))
        try check(snd_pcm_hw_params_set_period_size_near(h, hw, &period, &dir), "period size")
        var buffer = period * snd_pcm_uframes_t(max(2, periodsPerBuffer))
        try check(snd_pcm_hw_params_set_buffer_size_near(h, hw, &buffer), "buffer size")
        try check(snd_pcm_hw_params(h, hw), "hardware parameters")
        _ = snd_pcm_hw_params_get_period_size(hw, &period, &dir)
        _ = snd_pcm_hw_params_get_buffer_size(hw, &buffer)
        guard period > 0 && buffer >= period else {
            throw PlaybackError.pcmUnavailable(device: name, reason: "no usable period size")
        }

        var sw: OpaquePointer?
        try check(snd_pcm_sw_params_malloc(&sw), "software parameters")
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(h, sw), "software parameters")
        try check(snd_pcm_sw_params_set_start_threshold(h, sw, buffer / period * period), "start threshold")
        try check(snd_pcm_sw_params_set_avail_min(h, sw, period), "wake-up size")
        try check(snd_pcm_sw_params(h, sw), "software parameters")
        return (Int(rate), Int(period), Int(buffer))
    }

    deinit { close() }

    func close() {
        if let h = handle { snd_pcm_close(h); handle = nil }
    }

    /// Writes all `frames` (blocking when the device is full), recovering from underruns.
    /// Returns how many underruns were recovered, or throws when the device fails.
    func write(_ samples: UnsafePointer<Int16>, frames: Int) throws -> Int {
        var underruns = 0
        var done = 0
        var failures = 0
        while done < frames {
            let n = snd_pcm_writei(handle, samples + done * 2, snd_pcm_uframes_t(frames - done))
            if n >= 0 { done += Int(n); failures = 0; continue }
            if Int32(n) == -EPIPE { underruns += 1 }
            let rc = snd_pcm_recover(handle, Int32(n), 1)
            failures += 1
            if rc < 0 || failures > 8 {
                throw PlaybackError.pcmFailed(device: name, reason: ALSALibrary.message(rc < 0 ? rc : Int32(n)))
            }
        }
        return underruns
    }

    /// Frames written but not yet heard (0 when the device cannot say).
    func delayFrames() -> Int {
        var delay: snd_pcm_sframes_t = 0
        guard snd_pcm_delay(handle, &delay) >= 0 else { return 0 }
        return max(0, Int(delay))
    }

    /// Discards what is buffered and readies the device for new audio.
    func dropAndPrepare() {
        _ = snd_pcm_drop(handle)
        _ = snd_pcm_prepare(handle)
    }

    /// Waits until what is buffered has been played.
    func drain() { _ = snd_pcm_drain(handle) }
}
