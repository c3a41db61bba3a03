// Module Tokenization: the bar-aware token language of Cadenza (REMI-like), its
// vocabulary, grammar, encoder/decoder, augmentation and corpus report.
//
//   BOS [STYLE_x] { BAR [TS_n/d] [TEMPO_bpm] { POS_k [TEMPO_bpm] { VEL_v PITCH_p DUR_d } } } EOS
//
// Measurements and the chosen configuration: see the table below (filled in from
// `cadenza tokenize --report`).
import MIDI
