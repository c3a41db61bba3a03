// The BLAS behind Cadenza's large matrix products: OpenBLAS on Linux, loaded at run time so
// Cadenza can choose its kernel first; Accelerate on macOS. Only one file of NN imports this.
#ifndef CADENZA_CBLAS_H
#define CADENZA_CBLAS_H

// Row-major C (m, n) = alpha * op(A) (m, k) @ op(B) (k, n) + beta * C; trans != 0 uses the
// stored matrix transposed.
void cadenza_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

// Row-major y = alpha * op(A) @ x + beta * y; A is (m, n) as stored.
void cadenza_sgemv(int transA, int m, int n, float alpha, const float *a, int lda,
                   const float *x, float beta, float *y);

// Threads the BLAS may use inside one call (OpenBLAS only; a no-op elsewhere).
void cadenza_blas_set_threads(int n);

// Which library and kernel the products run on, for reports: for example
// "OpenBLAS 0.3.21 ... (SkylakeX kernel, measured fastest on this CPU, cached in ...)".
const char *cadenza_blas_description(void);

#endif
