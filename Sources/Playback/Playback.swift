// Placeholder: the playback backends go here.
import MIDI
