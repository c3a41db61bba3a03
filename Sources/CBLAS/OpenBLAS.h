// OpenBLAS as Cadenza opens it on Linux: the symbols it uses, and the choice of kernel that
// CBLAS.c makes once, before it opens the library (KernelChoice.c).
#ifndef CADENZA_OPENBLAS_H
#define CADENZA_OPENBLAS_H
#if !defined(__APPLE__)
#include <stddef.h>

// CBLAS's enums, by value (cblas.h: CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112).
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*string_fn)(void);

// dlopen of the Debian runtime name, then of the development link; NULL when neither loads.
void *cadenza_open_openblas(void);

// The OPENBLAS_CORETYPE to set before opening OpenBLAS, or NULL to leave the choice to
// OpenBLAS; `why` receives how the kernel was chosen (", measured fastest ...").
const char *cadenza_choose_openblas_kernel(char *why, size_t why_size);

// After the library is open, with its openblas_get_config(): a cached choice made with
// another OpenBLAS build is forgotten, so the next start measures again.
void cadenza_check_kernel_choice(const char *config);

#endif
#endif
