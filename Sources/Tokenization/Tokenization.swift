// Placeholder: the bar-aware tokenizer goes here.
import MIDI
