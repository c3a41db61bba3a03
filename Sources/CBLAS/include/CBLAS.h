// The CBLAS interface: OpenBLAS's cblas.h on Linux, Accelerate on macOS.
// Only one file of the NN module imports this.
#ifndef CADENZA_CBLAS_H
#define CADENZA_CBLAS_H
#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif
// Threads the BLAS may use (OpenBLAS only; a no-op elsewhere).
void cadenza_blas_set_threads(int n);
#endif
