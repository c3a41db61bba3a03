// ALSA (sequencer and PCM) for Swift, with wrappers for the snd_seq_ev_set_* macros
// Swift cannot import. Only one file of the Playback module imports this.
#ifndef CADENZA_CALSA_SHIM_H
#define CADENZA_CALSA_SHIM_H
#include <alsa/asoundlib.h>

static inline void cadenza_seq_ev_clear(snd_seq_event_t *ev) { snd_seq_ev_clear(ev); }
static inline void cadenza_seq_ev_set_source(snd_seq_event_t *ev, int port) { snd_seq_ev_set_source(ev, port); }
static inline void cadenza_seq_ev_set_subs(snd_seq_event_t *ev) { snd_seq_ev_set_subs(ev); }
static inline void cadenza_seq_ev_set_dest(snd_seq_event_t *ev, int client, int port) { snd_seq_ev_set_dest(ev, client, port); }
static inline void cadenza_seq_ev_set_direct(snd_seq_event_t *ev) { snd_seq_ev_set_direct(ev); }
static inline void cadenza_seq_ev_schedule_tick(snd_seq_event_t *ev, int q, int relative, unsigned int tick) { snd_seq_ev_schedule_tick(ev, q, relative, tick); }
static inline void cadenza_seq_ev_schedule_real(snd_seq_event_t *ev, int q, int relative, const snd_seq_real_time_t *t) { snd_seq_ev_schedule_real(ev, q, relative, (snd_seq_real_time_t *)t); }
static inline void cadenza_seq_ev_set_noteon(snd_seq_event_t *ev, int ch, int key, int vel) { snd_seq_ev_set_noteon(ev, ch, key, vel); }
static inline void cadenza_seq_ev_set_noteoff(snd_seq_event_t *ev, int ch, int key, int vel) { snd_seq_ev_set_noteoff(ev, ch, key, vel); }
static inline void cadenza_seq_ev_set_controller(snd_seq_event_t *ev, int ch, int cc, int val) { snd_seq_ev_set_controller(ev, ch, cc, val); }
static inline void cadenza_seq_ev_set_pgmchange(snd_seq_event_t *ev, int ch, int val) { snd_seq_ev_set_pgmchange(ev, ch, val); }
static inline void cadenza_seq_ev_set_queue_start(snd_seq_event_t *ev, int q) { snd_seq_ev_set_queue_start(ev, q); }
static inline void cadenza_seq_ev_set_queue_stop(snd_seq_event_t *ev, int q) { snd_seq_ev_set_queue_stop(ev, q); }
static inline void cadenza_seq_ev_set_queue_tempo(snd_seq_event_t *ev, int q, int usPerQuarter) { snd_seq_ev_set_queue_tempo(ev, q, usPerQuarter); }
static inline void cadenza_seq_ev_set_tag(snd_seq_event_t *ev, unsigned char tag) { ev->tag = tag; }

/* alsa-lib prints "ALSA lib ...: open /dev/snd/seq failed" to stderr by default; the
   handler is variadic, which Swift cannot define, so the quiet one lives here. */
static void cadenza_alsa_quiet_error(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}
static inline void cadenza_alsa_silence_errors(void) { snd_lib_error_set_handler(cadenza_alsa_quiet_error); }
#endif
