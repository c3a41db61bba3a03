// The BLAS, loaded once on first use.
//
// Linux: OpenBLAS is opened with dlopen rather than linked, because a DYNAMIC_ARCH OpenBLAS
// picks its kernel in its load-time constructor from the CPU and OPENBLAS_CORETYPE, and a
// linked library has run that constructor before main. On AMD CPUs with AVX-512 (Zen 4
// executes it as two 256-bit halves) OpenBLAS 0.3.21 picks its SkylakeX kernel, which is
// 20-30% slower than its Haswell (AVX2) kernel on the LSTM's skinny products (measured in
// ../shared/bench: 64x768 @ 768x2048 at 2 threads, 154 against 179 GFLOP/s). So before
// opening the library Cadenza sets OPENBLAS_CORETYPE=Haswell on such CPUs, unless the user
// set the variable; the kernel OpenBLAS then reports is kept for the description.
#include "CBLAS.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>

void cadenza_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cadenza_sgemv(int transA, int m, int n, float alpha, const float *a, int lda,
                   const float *x, float beta, float *y) {
    cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, 1, beta, y, 1);
}
void cadenza_blas_set_threads(int n) { (void)n; }
const char *cadenza_blas_description(void) { return "Accelerate"; }

#else
#include <dlfcn.h>
#include <pthread.h>

// CBLAS's enums, by value (cblas.h: CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112).
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*string_fn)(void);

static sgemm_fn sgemm;
static sgemv_fn sgemv;
static set_threads_fn set_threads;
static char description[256] = "OpenBLAS";
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

#if defined(__x86_64__)
#include <cpuid.h>
// An AMD CPU with AVX-512 and AVX2: the case where OpenBLAS's own pick is the slower kernel.
static int amd_with_avx512(void) {
    unsigned a, b, c, d;
    char vendor[13] = {0};
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4);
    if (strcmp(vendor, "AuthenticAMD") != 0) return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static int amd_with_avx512(void) { return 0; }
#endif

static void load(void) {
    const char *why = "";
    const char *preset = getenv("OPENBLAS_CORETYPE");
    int chosen = 0;
    if ((preset == NULL || preset[0] == 0) && amd_with_avx512()) {
        setenv("OPENBLAS_CORETYPE", "Haswell", 1);
        chosen = 1;
    }
    // The Debian runtime package's name first, then the development link.
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) lib = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cadenza: cannot load OpenBLAS (libopenblas.so.0): %s\n"
                        "cadenza: install it with: apt-get install libopenblas0\n", dlerror());
        exit(1);
    }
    sgemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    sgemv = (sgemv_fn)dlsym(lib, "cblas_sgemv");
    set_threads = (set_threads_fn)dlsym(lib, "openblas_set_num_threads");
    if (sgemm == NULL || sgemv == NULL) {
        fprintf(stderr, "cadenza: the OpenBLAS found has no cblas_sgemm/cblas_sgemv\n");
        exit(1);
    }
    if (chosen) unsetenv("OPENBLAS_CORETYPE");  // children (a torch check, say) choose for themselves
    string_fn config = (string_fn)dlsym(lib, "openblas_get_config");
    string_fn core = (string_fn)dlsym(lib, "openblas_get_corename");
    why = chosen ? ", chosen by Cadenza for this AMD CPU" : (preset && preset[0] ? ", from OPENBLAS_CORETYPE" : "");
    snprintf(description, sizeof description, "%s (%s kernel%s)", config ? config() : "OpenBLAS",
             core ? core() : "unknown", why);
}

static inline void ensure_loaded(void) { pthread_once(&loaded, load); }

void cadenza_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    ensure_loaded();
    sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c,
          ldc);
}

void cadenza_sgemv(int transA, int m, int n, float alpha, const float *a, int lda,
                   const float *x, float beta, float *y) {
    ensure_loaded();
    sgemv(ROW_MAJOR, transA ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, 1, beta, y, 1);
}

void cadenza_blas_set_threads(int n) {
    ensure_loaded();
    if (set_threads) set_threads(n);
}

const char *cadenza_blas_description(void) {
    ensure_loaded();
    return description;
}
#endif
