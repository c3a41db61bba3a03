// Placeholder: the built-in piano synth and SoundFont player go here.
import MIDI
