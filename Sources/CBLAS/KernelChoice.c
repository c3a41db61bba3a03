// Which of OpenBLAS's kernels the products run on, chosen by measuring them on this CPU.
//
// A DYNAMIC_ARCH OpenBLAS picks its kernel from the CPU as it loads, from a table that lags
// the hardware, and the right pick differs by CPU: OpenBLAS 0.3.21 runs its SkylakeX
// (AVX-512) kernel on Zen 4, where its Haswell (AVX2) kernel is 20-30% faster on the LSTM's
// products (Zen 4 executes AVX-512 as two 256-bit halves), and its Haswell kernel on Zen 5,
// where SkylakeX trains 1.5-1.8x faster. No rule by CPU name stays right, so Cadenza
// measures: each kernel this CPU can run multiplies an LSTM-shaped product in a child
// process (OpenBLAS fixes its kernel when it loads, so a process can try only one), and the
// fastest is set as OPENBLAS_CORETYPE before CBLAS.c opens the library. The choice is
// cached per CPU in $XDG_CACHE_HOME/cadenza/blas-kernel (default ~/.cache), one line;
// deleting the file measures again. The cache also keeps a machine's results reproducible
// from run to run: the kernels round differently.
#if !defined(__APPLE__)
#define _GNU_SOURCE
#include "OpenBLAS.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// Set in the environment of a measuring child; the child measures, prints one line, exits.
#define PROBE_VARIABLE "CADENZA_INTERNAL_BLAS_PROBE"
#define PROBE_NAME "cadenza-blas-probe"  // its argv[0]
#define CACHE_MAGIC "cadenza-blas-kernel 1"
#define PROBE_SECONDS 20  // a child that has not answered by then is killed
#define ROUNDS 2          // candidates measured in turn, twice: a shared machine is noisy

// ---- the kernels this CPU can run ----

typedef struct {
    const char *name;  // OPENBLAS_CORETYPE's spelling
    int (*runs_here)(void);
} kernel_candidate;

#if defined(__x86_64__)
#include <cpuid.h>
static int has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static int has_avx512(void) {  // what OpenBLAS's SkylakeX kernel executes
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512cd");
}
static const kernel_candidate candidates[] = {{"Haswell", has_avx2}, {"SkylakeX", has_avx512}};
enum { CANDIDATES = 2 };

// "AuthenticAMD 26/2/0 AMD EPYC ...": vendor, family/model/stepping, brand. Printable only.
static void cpu_identity(char *out, size_t size) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    char vendor[13] = {0}, brand[49] = {0};
    __get_cpuid(0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf, stepping = a & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf) model |= ((a >> 16) & 0xf) << 4;
    unsigned top = __get_cpuid_max(0x80000000, NULL);
    if (top >= 0x80000004) {
        for (unsigned leaf = 0; leaf < 3; leaf++) {
            __get_cpuid(0x80000002 + leaf, &a, &b, &c, &d);
            memcpy(brand + leaf * 16, &a, 4); memcpy(brand + leaf * 16 + 4, &b, 4);
            memcpy(brand + leaf * 16 + 8, &c, 4); memcpy(brand + leaf * 16 + 12, &d, 4);
        }
    }
    snprintf(out, size, "%s %u/%u/%u %s", vendor, family, model, stepping, brand);
    for (char *p = out; *p; p++)
        if (*p < ' ' || *p > '~') *p = '?';
}
#else
static const kernel_candidate candidates[] = {{"", NULL}};
enum { CANDIDATES = 0 };  // elsewhere OpenBLAS's own pick stands
static void cpu_identity(char *out, size_t size) { snprintf(out, size, "unknown"); }
#endif

static const kernel_candidate *candidate_named(const char *name) {
    for (int i = 0; i < CANDIDATES; i++)
        if (strcmp(candidates[i].name, name) == 0 && candidates[i].runs_here()) return &candidates[i];
    return NULL;
}

// ---- the measuring child ----

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// One thread, as each member of the engine's team calls it: gates (256, 2048) = X (256, 512)
// @ W (2048, 512)^T, the shape of a training step's input projection. Best of 5 after 2.
static void measure_and_exit(void) {
    void *lib = cadenza_open_openblas();
    if (lib == NULL) _exit(3);
    sgemm_fn sgemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    set_threads_fn set_threads = (set_threads_fn)dlsym(lib, "openblas_set_num_threads");
    string_fn core = (string_fn)dlsym(lib, "openblas_get_corename");
    string_fn config = (string_fn)dlsym(lib, "openblas_get_config");
    if (sgemm == NULL || core == NULL || config == NULL) _exit(3);
    if (set_threads) set_threads(1);
    enum { M = 256, K = 512, N = 2048 };
    float *x = malloc(sizeof(float) * M * K), *w = malloc(sizeof(float) * N * K), *out = malloc(sizeof(float) * M * N);
    if (x == NULL || w == NULL || out == NULL) _exit(3);
    for (size_t i = 0; i < (size_t)M * K; i++) x[i] = (float)(i % 97) / 97.0f - 0.5f;
    for (size_t i = 0; i < (size_t)N * K; i++) w[i] = (float)(i % 89) / 89.0f - 0.5f;
    double best = 0;
    for (int run = 0; run < 7; run++) {
        double start = seconds_now();
        sgemm(ROW_MAJOR, NO_TRANS, TRANS, M, N, K, 1, x, K, w, K, 0, out, N);
        double gflops = 2.0 * M * N * K / (seconds_now() - start) * 1e-9;
        if (run >= 2 && gflops > best) best = gflops;
    }
    printf("%s\t%.3f\t%s\n", core(), best, config());
    fflush(stdout);
    _exit(0);
}

// Every process of Cadenza's checks this before main (glibc passes constructors argc and
// argv); only a measuring child has both its name and the variable, so a stray variable in a
// user's environment does not turn a command into a measurement.
__attribute__((constructor)) static void measure_if_asked(int argc, char **argv) {
    const char *asked = getenv(PROBE_VARIABLE);
    if (asked != NULL && strcmp(asked, "1") == 0 && argc >= 1 && argv != NULL && argv[0] != NULL &&
        strcmp(argv[0], PROBE_NAME) == 0)
        measure_and_exit();
}

// ---- the parent: spawn a child per kernel and read its line ----

// This executable again, with the kernel set; GFLOP/s it measured, or 0 when it failed or
// loaded another kernel than asked (an OpenBLAS that does not know the name falls back).
static double measure_in_child(const char *kernel, char *config, size_t config_size) {
    static char core_setting[64];
    snprintf(core_setting, sizeof core_setting, "OPENBLAS_CORETYPE=%s", kernel);
    size_t count = 0;
    while (environ != NULL && environ[count] != NULL) count++;
    char **env = calloc(count + 4, sizeof(char *));
    if (env == NULL) return 0;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        const char *e = environ[i];
        if (strncmp(e, "OPENBLAS_", 9) == 0 || strncmp(e, PROBE_VARIABLE "=", sizeof PROBE_VARIABLE) == 0) continue;
        env[used++] = environ[i];
    }
    env[used++] = core_setting;
    env[used++] = "OPENBLAS_NUM_THREADS=1";
    env[used++] = PROBE_VARIABLE "=1";
    env[used] = NULL;

    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0) { free(env); return 0; }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {PROBE_NAME, NULL};
    pid_t child;
    int spawned = posix_spawn(&child, "/proc/self/exe", &actions, NULL, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    free(env);
    close(pipe_ends[1]);
    if (spawned != 0) { close(pipe_ends[0]); return 0; }

    char line[512];
    size_t got = 0;
    double deadline = seconds_now() + PROBE_SECONDS;
    int timed_out = 0;
    while (got < sizeof line - 1) {
        int left_ms = (int)((deadline - seconds_now()) * 1000);
        if (left_ms <= 0) { timed_out = 1; break; }
        struct pollfd p = {.fd = pipe_ends[0], .events = POLLIN};
        int ready = poll(&p, 1, left_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) { timed_out = 1; break; }
        ssize_t n = read(pipe_ends[0], line + got, sizeof line - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(pipe_ends[0]);
    if (timed_out) kill(child, SIGKILL);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    line[got] = 0;

    char *core = line, *gflops_text = strchr(line, '\t');
    if (timed_out || gflops_text == NULL) return 0;
    *gflops_text++ = 0;
    char *config_text = strchr(gflops_text, '\t');
    if (config_text == NULL) return 0;
    *config_text++ = 0;
    config_text[strcspn(config_text, "\t\n")] = 0;
    char *end;
    double gflops = strtod(gflops_text, &end);
    if (end == gflops_text || !isfinite(gflops) || gflops <= 0 || strcasecmp(core, kernel) != 0) return 0;
    snprintf(config, config_size, "%s", config_text);
    return gflops;
}

// ---- the cache ----

static char cache_path[PATH_MAX];  // empty: no cache (no home, or a path too long)
static char cached_config[256];    // the OpenBLAS build a cached choice was measured with

static int cache_folder(char *folder, size_t size) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg != NULL && xdg[0] == '/') n = snprintf(folder, size, "%s/cadenza", xdg);
    else if (home != NULL && home[0] == '/') n = snprintf(folder, size, "%s/.cache/cadenza", home);
    else return 0;
    return n > 0 && (size_t)n < size;
}

// The kernel of a cache line for this CPU, or NULL. The file is untrusted: a regular file
// only, read up to one short line, every field checked.
static const char *read_cache(const char *identity) {
    int fd = open(cache_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat info;
    char text[1024];
    ssize_t n = 0;
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return NULL;
    text[n] = 0;
    char *fields[4];
    char *cursor = text;
    for (int i = 0; i < 4; i++) {
        fields[i] = cursor;
        cursor += strcspn(cursor, i < 3 ? "\t\n" : "\n");
        if (*cursor != (i < 3 ? '\t' : '\n')) return NULL;
        *cursor++ = 0;
    }
    if (strcmp(fields[0], CACHE_MAGIC) != 0 || strcmp(fields[1], identity) != 0) return NULL;
    const kernel_candidate *chosen = candidate_named(fields[2]);
    if (chosen == NULL) return NULL;
    snprintf(cached_config, sizeof cached_config, "%s", fields[3]);
    return chosen->name;
}

// Written whole under a unique name, then renamed over the old file: never half a line.
static void write_cache(const char *identity, const char *kernel, const char *config) {
    char temporary[PATH_MAX + 32];
    if (snprintf(temporary, sizeof temporary, "%s.%ld.tmp", cache_path, (long)getpid()) >= (int)sizeof temporary) return;
    unlink(temporary);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return;
    char line[1024];
    int n = snprintf(line, sizeof line, "%s\t%s\t%s\t%s\n", CACHE_MAGIC, identity, kernel, config);
    int ok = n > 0 && n < (int)sizeof line && write(fd, line, (size_t)n) == n;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(temporary, cache_path) != 0) unlink(temporary);
}

// ---- the choice ----

// Sets cache_path (…/cadenza/blas-kernel), making its folder (and the folder above it) if
// needed; leaves it empty when there is no home for a cache.
static void find_cache_path(void) {
    char folder[PATH_MAX];
    if (!cache_folder(folder, sizeof folder)) return;
    char *slash = strrchr(folder, '/');
    *slash = 0;
    mkdir(folder, 0755);
    *slash = '/';
    mkdir(folder, 0755);
    if (snprintf(cache_path, sizeof cache_path, "%s/blas-kernel", folder) >= (int)sizeof cache_path) cache_path[0] = 0;
}

// The cached kernel, or NULL with the cache's lock held in *lock (or -1): one process
// measures at a time (parallel tests start many); the others wait for its lock, then read
// what it wrote.
static const char *cached_kernel_or_lock(const char *identity, int *lock) {
    *lock = -1;
    if (!cache_path[0]) return NULL;
    const char *cached = read_cache(identity);
    if (cached != NULL) return cached;
    char lock_path[PATH_MAX + 8];
    snprintf(lock_path, sizeof lock_path, "%s.lock", cache_path);
    *lock = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (*lock < 0) return NULL;
    while (flock(*lock, LOCK_EX) != 0 && errno == EINTR) {}
    cached = read_cache(identity);
    if (cached != NULL) { close(*lock); *lock = -1; }
    return cached;
}

// Each kernel in a child, ROUNDS times in turn: best[i] its best GFLOP/s, config[i] the
// OpenBLAS build it reported. The index of the fastest, or -1 when every measurement failed.
static int fastest_kernel(const kernel_candidate *const *runnable, int count, double *best, char (*config)[256]) {
    for (int round = 0; round < ROUNDS; round++)
        for (int i = 0; i < count; i++) {
            char measured[256] = "";
            double gflops = measure_in_child(runnable[i]->name, measured, sizeof measured);
            if (gflops > best[i]) { best[i] = gflops; snprintf(config[i], sizeof config[i], "%s", measured); }
        }
    int winner = -1;
    for (int i = 0; i < count; i++)
        if (best[i] > 0 && (winner < 0 || best[i] > best[winner])) winner = i;
    return winner;
}

const char *cadenza_choose_openblas_kernel(char *why, size_t why_size) {
    const kernel_candidate *runnable[CANDIDATES + 1];
    int count = 0;
    for (int i = 0; i < CANDIDATES; i++)
        if (candidates[i].runs_here()) runnable[count++] = &candidates[i];
    snprintf(why, why_size, ", OpenBLAS's own choice");
    if (count < 2) return NULL;  // nothing to choose between

    char identity[256];
    cpu_identity(identity, sizeof identity);
    find_cache_path();
    int lock;
    const char *cached = cached_kernel_or_lock(identity, &lock);
    if (cached != NULL) {
        snprintf(why, why_size, ", measured fastest on this CPU, cached in %s", cache_path);
        return cached;
    }
    double best[CANDIDATES + 1] = {0};
    char config[CANDIDATES + 1][256];
    int winner = fastest_kernel(runnable, count, best, config);
    if (winner >= 0 && cache_path[0]) {
        write_cache(identity, runnable[winner]->name, config[winner]);
        snprintf(cached_config, sizeof cached_config, "%s", config[winner]);
    }
    if (lock >= 0) close(lock);
    if (winner < 0) {
        snprintf(why, why_size, ", OpenBLAS's own choice: measuring its kernels failed");
        return NULL;
    }
    int said = snprintf(why, why_size, ", measured fastest on this CPU:");
    for (int i = 0; i < count && said > 0 && (size_t)said < why_size; i++)
        said += snprintf(why + said, why_size - (size_t)said, "%s %s %.0f", i ? "," : "", runnable[i]->name, best[i]);
    if (said > 0 && (size_t)said < why_size) snprintf(why + said, why_size - (size_t)said, " GFLOP/s on one thread");
    return runnable[winner]->name;
}

void cadenza_check_kernel_choice(const char *config) {
    if (cache_path[0] && cached_config[0] && config != NULL && strcmp(config, cached_config) != 0) unlink(cache_path);
}
#endif
