// ncursesw for Swift: wide-character curses plus static inline wrappers for the
// macros Swift cannot import. Only the TUI module's terminal file imports this.
#ifndef CADENZA_CNCURSESW_SHIM_H
#define CADENZA_CNCURSESW_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncursesw/ncurses.h>

static inline int cadenza_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int cadenza_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int cadenza_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline int cadenza_attron(int a) { return attron(a); }
static inline int cadenza_attroff(int a) { return attroff(a); }
static inline int cadenza_attrset(int a) { return attrset(a); }
static inline int cadenza_a_bold(void) { return (int)A_BOLD; }
static inline int cadenza_a_reverse(void) { return (int)A_REVERSE; }
static inline int cadenza_a_dim(void) { return (int)A_DIM; }
static inline int cadenza_a_underline(void) { return (int)A_UNDERLINE; }
static inline int cadenza_a_normal(void) { return (int)A_NORMAL; }
static inline WINDOW *cadenza_stdscr(void) { return stdscr; }
static inline int cadenza_key_resize(void) { return KEY_RESIZE; }
static inline int cadenza_colors(void) { return COLORS; }
static inline int cadenza_lines(void) { return LINES; }
static inline int cadenza_cols(void) { return COLS; }
#endif
