// Thread control for the BLAS: OpenBLAS has openblas_set_num_threads; Accelerate decides itself.
#include "CBLAS.h"
#if !defined(__APPLE__)
extern void openblas_set_num_threads(int);
#endif
void cadenza_blas_set_threads(int n) {
#if !defined(__APPLE__)
    openblas_set_num_threads(n);
#else
    (void)n;
#endif
}
