// The BLAS, loaded once on first use.
//
// Linux: OpenBLAS is opened with dlopen rather than linked, because a DYNAMIC_ARCH OpenBLAS
// picks its kernel in its load-time constructor from the CPU and OPENBLAS_CORETYPE, and a
// linked library has run that constructor before main. Before opening it Cadenza sets
// OPENBLAS_CORETYPE to the kernel measured fastest on this CPU (KernelChoice.c), unless the
// user set the variable; the kernel OpenBLAS then reports is kept for the description.
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

#include "OpenBLAS.h"

static sgemm_fn sgemm;
static sgemv_fn sgemv;
static set_threads_fn set_threads;
static char description[640] = "OpenBLAS";
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

void *cadenza_open_openblas(void) {
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    return lib != NULL ? lib : dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
}

static void load(void) {
    char why[384] = ", from OPENBLAS_CORETYPE";
    const char *preset = getenv("OPENBLAS_CORETYPE");
    const char *chosen = NULL;
    if (preset == NULL || preset[0] == 0) {
        chosen = cadenza_choose_openblas_kernel(why, sizeof why);
        if (chosen != NULL) setenv("OPENBLAS_CORETYPE", chosen, 1);
    }
    void *lib = cadenza_open_openblas();
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
    if (chosen != NULL) unsetenv("OPENBLAS_CORETYPE");  // children (a torch check, say) choose for themselves
    string_fn config = (string_fn)dlsym(lib, "openblas_get_config");
    string_fn core = (string_fn)dlsym(lib, "openblas_get_corename");
    if (preset == NULL || preset[0] == 0) cadenza_check_kernel_choice(config ? config() : NULL);
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
