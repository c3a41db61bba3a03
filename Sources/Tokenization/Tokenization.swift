// Module Tokenization: the bar-aware token language of Cadenza (REMI-like), its
// vocabulary (JSON for checkpoints), grammar, encoder/decoder, augmentation and the
// corpus round-trip report. No I/O except CorpusReport reading MIDI files.
//
//   BOS [STYLE_x] { BAR [TS_n/d] [KEY_k] [TEMPO_bpm] { POS_k ( TEMPO_bpm note* | note+ ) } } EOS PAD*
//   note := VEL_v PITCH_p DUR_d      (pitches rising inside an onset: one note per key)
//
// TS and TEMPO appear only when they change (TS always in the first bar). KEY_<tonic>_<mode>
// (24 tokens, last in the vocabulary) opens every bar, not only where the key changes: the
// key then stays within one bar of the model's attention (a 128-token training window holds
// two or three bars), a person's key is forced bar by bar, and it costs 0.06 tokens per note
// (3.85 -> 3.91 on the scores). The key comes from the file's key signature, with major or
// relative minor chosen by key-finding (all 287 piano-midi.de scores say "major"), or from
// key-finding alone (KeyFinding.swift) where a file has no signature. A tempo token
// after POS is a tempo change at that step; a POS with a TEMPO and no notes is a tempo
// change between onsets. Payloads are values: TEMPO_120 = 120 quarters per minute,
// VEL_64 = MIDI velocity 64, POS_k and DUR_d in grid steps, PITCH_60 = middle C.
//
// How onsets survive: the encoder simulates the decoder's timeline and rounds each
// onset to the grid *in decoded seconds*, so every onset is within half a grid step of
// the original by construction. Tempo tokens come from error feedback: at each bar start
// and onset the encoder checks how far the decoded timeline will be from the score's
// own bar grid at the next onset (or at the bar line, across rests); when the drift
// would exceed a quarter step it picks the nearest tempo bin, and splits the gap between
// two neighbouring bins (a notes-less POS TEMPO) when one bin is not close enough. So
// bar lines and beats of sequenced scores land on POS_0 and the beat positions, and the
// rubato of piano-midi.de's dense tempo maps (median 692 tempo events per piece) costs
// about 0.23 tokens per note. Constant-tempo files whose tempo is far outside the bins
// (an ASAP file at 400 BPM) are rescaled by octaves, seconds unchanged.
//
// One tempo per bar (`tempoPerBar`, the default since the second bundled model): before
// encoding, the score is re-timed to each bar's mean tempo on a bin, with hysteresis
// (Tokenizer+BarTempo.swift), so TEMPO tokens open bars where the tempo really moves.
// `cadenza tokenize --report ../shared/corpus/scores` (287 files):
//
//   tempo              tokens/note  tempo tok/note  kept %  onset err ms  re-timed ms
//   event by event        3.91         0.233        100.00      5.8            0
//   one per bar           3.66         0.012        100.00      2.1         1641   <- chosen
//
// "re-timed" is the mean shift of an onset in seconds between the file and the score the
// tokens spell (mostly slow drift: a bar 4% off its bin for a page adds up); bars, beats
// and note values are untouched. The event-by-event rule spent 0.64 of the previous
// model's 6.52 nats per note on TEMPO tokens, for rubato inside bars.
//
// Chosen configuration (TokenizerConfiguration.default): 12 steps per quarter, bars up
// to 8 quarters (96 POS), 16 velocity bins (8, 16, ..., 120, 127), 32 tempo bins at 8 per
// octave anchored at 120 BPM (23...339 BPM; 30, 60, 120, 240 exact), 28 duration bins
// (every step up to a quarter, then 15, 18, 21, 24, 30, ... 192 steps = 16 quarters),
// 44 time signatures (n/2 n<=4, n/4 n<=8, n/8 n<=16, n/16 n<=16; others are split into
// supported bars), pitches 21...108. Vocabulary: 308 tokens + one per style.
//
// Measured with `cadenza tokenize --report ../shared/corpus` (617 files, 7-9 s on two
// cores; round trip = same pitch, onset within half a grid step in seconds):
//
//   configuration          vocab  tokens/note  kept %  onset err ms  tempo tok/note
//   12/q, 8 tempo/octave    308     3.81       100.00      8.5          0.140   <- chosen
//   12/q, 6 tempo/octave    300     3.86       100.00      8.4          0.162
//   12/q, 12 tempo/octave   322     3.79       100.00      8.4          0.127
//   24/q, 8 tempo/octave    408     4.01       100.00      4.1          0.232
//
// Both grids keep every note by construction; 24 steps halves the onset error but costs
// 100 vocabulary entries and 5% more tokens (more tempo corrections), so 12 it is:
// 12 steps hold triplets, sixteenths and sixteenth-note triplets; 32nds are rounded
// to the nearest step (still within half a step in time). "kept" rounds to 100.00:
// the only notes lost are the 31 merged ones (two notes of one pitch on one step).
// Per composer, chosen configuration:
//
//   | composer | files | notes | tokens | tokens/note | kept % | onset err ms | tempo tok/note | moved | capped | merged | failed |
//   |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
//   | performances/bach | 83 | 81823 | 314560 | 3.84 | 100.00 | 10.4 | 0.043 | 0 | 41 | 0 | 0 |
//   | performances/balakirev | 2 | 16341 | 58814 | 3.60 | 99.99 | 10.4 | 0.000 | 0 | 1 | 1 | 0 |
//   | performances/beethoven | 80 | 265692 | 1014491 | 3.82 | 100.00 | 10.5 | 0.083 | 0 | 491 | 1 | 0 |
//   | performances/brahms | 1 | 1667 | 7781 | 4.67 | 100.00 | 11.0 | 0.600 | 0 | 4 | 0 | 0 |
//   | performances/chopin | 58 | 179463 | 666870 | 3.72 | 100.00 | 10.5 | 0.045 | 0 | 191 | 3 | 0 |
//   | performances/glinka | 2 | 4537 | 17238 | 3.80 | 100.00 | 10.4 | 0.000 | 0 | 87 | 0 | 0 |
//   | performances/haydn | 15 | 37112 | 147113 | 3.96 | 100.00 | 10.5 | 0.131 | 0 | 8 | 0 | 0 |
//   | performances/liszt | 26 | 147041 | 539639 | 3.67 | 100.00 | 10.4 | 0.023 | 0 | 374 | 2 | 0 |
//   | performances/mozart | 9 | 24235 | 93166 | 3.84 | 100.00 | 10.1 | 0.066 | 0 | 10 | 0 | 0 |
//   | performances/prokofiev | 2 | 9774 | 36414 | 3.73 | 100.00 | 10.7 | 0.171 | 0 | 0 | 0 | 0 |
//   | performances/rachmaninoff | 7 | 11874 | 46392 | 3.91 | 100.00 | 10.8 | 0.151 | 0 | 79 | 0 | 0 |
//   | performances/ravel | 6 | 27028 | 109453 | 4.05 | 99.99 | 10.8 | 0.283 | 0 | 278 | 2 | 0 |
//   | performances/schubert | 21 | 76436 | 288030 | 3.77 | 100.00 | 10.5 | 0.031 | 0 | 9 | 0 | 0 |
//   | performances/schumann | 14 | 23021 | 96920 | 4.21 | 100.00 | 10.9 | 0.350 | 0 | 73 | 0 | 0 |
//   | performances/scriabin | 4 | 17955 | 65763 | 3.66 | 100.00 | 10.5 | 0.040 | 0 | 100 | 0 | 0 |
//   | scores/albeniz | 12 | 20710 | 78567 | 3.79 | 100.00 | 6.0 | 0.221 | 0 | 3 | 0 | 0 |
//   | scores/bach | 3 | 4625 | 17953 | 3.88 | 100.00 | 7.4 | 0.184 | 0 | 0 | 0 | 0 |
//   | scores/balakirev | 1 | 8038 | 29268 | 3.64 | 100.00 | 4.7 | 0.160 | 0 | 0 | 0 | 0 |
//   | scores/beethoven | 25 | 98394 | 379999 | 3.86 | 100.00 | 5.4 | 0.227 | 0 | 27 | 3 | 0 |
//   | scores/borodin | 7 | 6199 | 24764 | 3.99 | 100.00 | 5.3 | 0.302 | 0 | 0 | 0 | 0 |
//   | scores/brahms | 8 | 24629 | 92346 | 3.75 | 100.00 | 6.4 | 0.235 | 0 | 1 | 0 | 0 |
//   | scores/burgmueller | 8 | 7960 | 31554 | 3.96 | 100.00 | 6.9 | 0.240 | 0 | 0 | 0 | 0 |
//   | scores/chopin | 40 | 73296 | 278517 | 3.80 | 100.00 | 4.9 | 0.218 | 0 | 0 | 1 | 0 |
//   | scores/clementi | 14 | 17684 | 71440 | 4.04 | 100.00 | 4.8 | 0.287 | 0 | 0 | 0 | 0 |
//   | scores/debussy | 10 | 13777 | 54993 | 3.99 | 100.00 | 5.6 | 0.294 | 0 | 2 | 0 | 0 |
//   | scores/godowsky | 2 | 3205 | 11799 | 3.68 | 100.00 | 6.2 | 0.189 | 0 | 0 | 0 | 0 |
//   | scores/granados | 2 | 4301 | 16521 | 3.84 | 100.00 | 4.6 | 0.240 | 0 | 0 | 0 | 0 |
//   | scores/grieg | 14 | 20149 | 78441 | 3.89 | 100.00 | 4.3 | 0.267 | 0 | 2 | 0 | 0 |
//   | scores/haydn | 17 | 29023 | 118849 | 4.09 | 100.00 | 5.4 | 0.297 | 0 | 0 | 0 | 0 |
//   | scores/heller | 1 | 1371 | 5292 | 3.86 | 100.00 | 5.5 | 0.301 | 0 | 10 | 0 | 0 |
//   | scores/keller | 1 | 2767 | 10551 | 3.81 | 100.00 | 7.0 | 0.226 | 0 | 0 | 0 | 0 |
//   | scores/lange | 1 | 3316 | 12576 | 3.79 | 100.00 | 7.0 | 0.224 | 0 | 2 | 0 | 0 |
//   | scores/leonard | 1 | 4317 | 16397 | 3.80 | 100.00 | 7.6 | 0.206 | 0 | 0 | 0 | 0 |
//   | scores/lichner | 1 | 2668 | 9996 | 3.75 | 100.00 | 14.6 | 0.165 | 0 | 0 | 0 | 0 |
//   | scores/liszt | 13 | 61538 | 229147 | 3.72 | 99.98 | 6.9 | 0.196 | 0 | 12 | 12 | 0 |
//   | scores/mendelssohn | 13 | 19412 | 73031 | 3.76 | 100.00 | 6.3 | 0.214 | 0 | 5 | 0 | 0 |
//   | scores/moszkowski | 1 | 2914 | 11146 | 3.82 | 100.00 | 6.3 | 0.176 | 0 | 0 | 0 | 0 |
//   | scores/mozart | 15 | 48372 | 195365 | 4.04 | 100.00 | 6.3 | 0.295 | 0 | 0 | 0 | 0 |
//   | scores/mussorgsky | 8 | 16148 | 61109 | 3.78 | 99.99 | 5.7 | 0.225 | 0 | 2 | 1 | 0 |
//   | scores/rachmaninoff | 7 | 14413 | 52748 | 3.66 | 100.00 | 6.5 | 0.170 | 0 | 0 | 0 | 0 |
//   | scores/ravel | 5 | 21180 | 81152 | 3.83 | 99.98 | 9.7 | 0.203 | 0 | 11 | 4 | 0 |
//   | scores/schubert | 24 | 102983 | 389371 | 3.78 | 100.00 | 4.8 | 0.216 | 0 | 4 | 0 | 0 |
//   | scores/schumann | 22 | 25695 | 100365 | 3.91 | 100.00 | 5.8 | 0.256 | 0 | 0 | 1 | 0 |
//   | scores/sinding | 1 | 1784 | 7464 | 4.18 | 100.00 | 11.1 | 0.302 | 0 | 0 | 0 | 0 |
//   | scores/tchaikovsky | 10 | 14737 | 57303 | 3.89 | 100.00 | 5.2 | 0.266 | 0 | 0 | 0 | 0 |
//   | performances (all) | 330 | 923999 | 3502644 | 3.79 | 100.00 | 10.5 | 0.072 | 0 | 1746 | 9 | 0 |
//   | scores (all) | 287 | 675605 | 2598024 | 3.85 | 100.00 | 5.8 | 0.233 | 0 | 81 | 22 | 0 |
//   | all | 617 | 1599604 | 6100668 | 3.81 | 100.00 | 8.5 | 0.140 | 0 | 1827 | 31 | 0 |
import MIDI
