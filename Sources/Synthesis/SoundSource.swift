// The pull API every instrument in Synthesis offers: note events between blocks,
// then `render` fills the next block. The offline renderer (ScoreRenderer) and the
// live ALSA PCM loop (Playback) call the same functions; neither owns the clock.
// Implementations do not allocate, lock or print inside `render`.

/// A polyphonic instrument rendered in small blocks; events arrive between blocks.
public protocol SoundSource: AnyObject {
    var sampleRate: Double { get }
    func noteOn(pitch: Int, velocity: Int)
    func noteOff(pitch: Int)
    func allNotesOff()          // release everything (with a short release, no click)
    /// Renders `frames` stereo frames, interleaved L R, overwriting `buffer` (count >= 2*frames).
    func render(into buffer: UnsafeMutablePointer<Float>, frames: Int)
}
