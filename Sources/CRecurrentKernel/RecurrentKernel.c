// The recurrent kernel's instruction sets: KernelBody.h compiled once per set, and the best
// one the CPU supports chosen on first use. On x86-64: AVX-512 (32 registers, so tiles of 4
// forward / 8 backward rows; 512-bit vectors over two blocks where the units fill them, which
// halves the broadcasts per FMA: 10-50% faster tiles on Zen 4, whose 512-bit FMAs run at the
// 256-bit FLOP rate), AVX2 with FMA (16 registers: 4 rows of 2 gates and 6 rows), and a
// portable build; elsewhere (arm64 NEON) the portable build, which the compiler vectorises
// for the target.
#include "RecurrentKernel.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>

typedef float v8 __attribute__((ext_vector_type(8)));
typedef float v16 __attribute__((ext_vector_type(16)));  // AVX-512's wide tiles only
// The portable build passes v8 between always-inlined helpers only, so no ABI is crossed.
#pragma clang diagnostic ignored "-Wpsabi"

// F16 bits to F32, exactly (the portable build's widening of a half-precision pack).
static inline float cadenza_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000 | (mantissa << 13);
    } else if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
        float magnitude = (float)mantissa * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    } else {
        bits = sign | (exponent + 112) << 23 | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#if defined(__x86_64__)
#define MADD(a, b, c) __builtin_elementwise_fma(a, b, c)
#define HAS_F16C 1

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl"))), apply_to = function)
#define ISA avx512vl
#define FWD_ROWS 4
#define FWD_GATE_PASSES 1
#define FWD_BLOCKS 4
#define WIDE_TILES 1
#define FWD_WIDE_PAIRS 2  // a single row: 2 pairs of blocks (32 units), 8 accumulators
#define BWD_ROWS 8  // 12 fit the registers too, but 8 divides the batch sizes used (64, 32)
#include "KernelBuild.h"
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define ISA avx2
// 4 rows x 2 gates: each block's weights are read once per 4 rows (L2 bandwidth, not the
// FMA units, bounded the 2 rows x 4 gates tile).
#define FWD_ROWS 4
#define FWD_GATE_PASSES 2
#define FWD_BLOCKS 2
#define BWD_ROWS 6
#include "KernelBuild.h"
#pragma clang attribute pop
#undef MADD
#undef HAS_F16C
#endif

#if defined(__aarch64__)
#define MADD(a, b, c) __builtin_elementwise_fma(a, b, c)
#else
#define MADD(a, b, c) ((a) * (b) + (c))  // baseline x86-64 has no FMA; fmaf per lane would be slow
#endif
#define ISA portable
#define FWD_ROWS 4
#define FWD_GATE_PASSES 2
#define FWD_BLOCKS 2
#define BWD_ROWS 6
#include "KernelBuild.h"

// ---- packing (the same layout for every instruction set) ----

size_t cadenza_forward_pack_count(int k, int units) { return (size_t)((units + 7) / 8) * (size_t)k * 32; }

// Block b (8 units): [i f] x 8 lanes for every input kk (16 floats each), then [g o] likewise
// (KernelBody.h's gate_weights reads it); lanes past `units` are zero. The offset of gate g of
// unit b*8 + lane for input kk, in either pack (F32 or F16):
static inline size_t forward_pack_offset(int k, int b, int kk, int g, int lane) {
    return (size_t)b * k * 32 + (size_t)(g >> 1) * k * 16 + (size_t)kk * 16 + (size_t)(g & 1) * 8 + (size_t)lane;
}

void cadenza_forward_pack(float *packed, const float *w, int ldw, int gate_stride, int k, int units) {
    for (int b = 0; b < (units + 7) / 8; b++)
        for (int kk = 0; kk < k; kk++)
            for (int g = 0; g < 4; g++)
                for (int lane = 0, j = b * 8; lane < 8; lane++, j++)
                    packed[forward_pack_offset(k, b, kk, g, lane)] = j < units ? w[(size_t)(g * gate_stride + j) * ldw + kk] : 0;
}

// f as F16 bits, when it is exactly an F16 value (0 otherwise: nothing is rounded here).
static int f16_exactly(float f, uint16_t *out) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    int exponent = (int)((bits >> 23) & 0xff);
    uint32_t mantissa = bits & 0x7fffff;
    if (exponent == 0 && mantissa == 0) { *out = sign; return 1; }
    if (exponent == 0xff) return 0;
    int unbiased = exponent - 127;
    if (unbiased >= -14 && unbiased <= 15) {  // a normal F16: 10 mantissa bits
        if (mantissa & 0x1fff) return 0;
        *out = sign | (uint16_t)((unbiased + 15) << 10) | (uint16_t)(mantissa >> 13);
        return 1;
    }
    uint32_t magnitude_bits = bits & 0x7fffffff;
    float magnitude;
    memcpy(&magnitude, &magnitude_bits, sizeof magnitude);
    float steps = magnitude * 0x1p24f;  // a subnormal F16: a whole number of 2^-24 below 1024
    if (steps < 1024 && steps == (float)(uint32_t)steps) { *out = sign | (uint16_t)steps; return 1; }
    return 0;
}

int cadenza_forward_pack_half(uint16_t *packed, const float *w, int ldw, int gate_stride, int k, int units) {
    for (int b = 0; b < (units + 7) / 8; b++)
        for (int kk = 0; kk < k; kk++)
            for (int g = 0; g < 4; g++)
                for (int lane = 0, j = b * 8; lane < 8; lane++, j++) {
                    uint16_t bits = 0;
                    if (j < units && !f16_exactly(w[(size_t)(g * gate_stride + j) * ldw + kk], &bits)) return 0;
                    packed[forward_pack_offset(k, b, kk, g, lane)] = bits;
                }
    return 1;
}

size_t cadenza_backward_pack_count(int k, int units) { return (size_t)((units + 15) / 16) * (size_t)k * 16; }

// Block b (16 units), gate column kk: W_hh[source_rows[kk], b*16 ..< b*16+16]; lanes past `units` zero.
void cadenza_backward_pack(float *packed, const float *w, int ldw, const int *source_rows, int k, int units) {
    int blocks = (units + 15) / 16;
    for (int b = 0; b < blocks; b++) {
        float *out = packed + (size_t)b * k * 16;
        for (int kk = 0; kk < k; kk++) {
            const float *row = w + (size_t)source_rows[kk] * ldw;
            for (int lane = 0; lane < 16; lane++) {
                int j = b * 16 + lane;
                out[(size_t)kk * 16 + lane] = j < units ? row[j] : 0;
            }
        }
    }
}

// ---- dispatch ----

typedef void (*forward_step_fn)(const float *, int, int, int, const float *, int, float *, int, const float *,
                                const float *, float *, float *, float *, int);
typedef void (*forward_half_step_fn)(const uint16_t *, int, int, int, const float *, int, float *, int,
                                     const float *, const float *, float *, float *, float *, int);
typedef void (*product_step_fn)(const float *, int, int, int, const float *, int, float *, int);
typedef void (*product_half_step_fn)(const uint16_t *, int, int, int, const float *, int, float *, int);
typedef void (*backward_step_fn)(const float *, int, int, int, const float *, int, float *, float *, int, float *,
                                 const float *, const float *, int);

// The builds, fastest first.
static const struct build {
    const char *name;
    forward_step_fn forward;
    backward_step_fn backward;
    forward_half_step_fn forward_half;
    product_step_fn product;
    product_half_step_fn product_half;
} builds[] = {
#if defined(__x86_64__)
    {"avx512vl", forward_step_avx512vl, backward_step_avx512vl, forward_step_avx512vl_half, product_step_avx512vl,
     product_step_avx512vl_half},
    {"avx2+fma", forward_step_avx2, backward_step_avx2, forward_step_avx2_half, product_step_avx2, product_step_avx2_half},
#endif
    {"portable", forward_step_portable, backward_step_portable, forward_step_portable_half, product_step_portable,
     product_step_portable_half},
};
enum { BUILD_COUNT = sizeof builds / sizeof builds[0] };

static int supported(int i) {
    if (i < 0 || i >= BUILD_COUNT) return 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (strcmp(builds[i].name, "avx512vl") == 0)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
    if (strcmp(builds[i].name, "avx2+fma") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#endif
    return 1;
}

static const struct build *chosen_build;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

static void choose(void) {
    int i = 0;
    while (!supported(i)) i++;  // the portable build is always supported
    chosen_build = &builds[i];
}

int cadenza_recurrent_build_count(void) { return BUILD_COUNT; }
int cadenza_recurrent_build_supported(int i) { return supported(i); }
const char *cadenza_recurrent_build_name(int i) { return i >= 0 && i < BUILD_COUNT ? builds[i].name : ""; }

void cadenza_forward_step_on(int build, const float *packed, int k, int units, int rows, const float *x, int ldx,
                             float *z, int ldz, const float *bias, const float *cprev, float *c, float *tanhc, float *h,
                             int lds) {
    if (!supported(build)) return;
    builds[build].forward(packed, k, units, rows, x, ldx, z, ldz, bias, cprev, c, tanhc, h, lds);
}

void cadenza_forward_half_step_on(int build, const uint16_t *packed, int k, int units, int rows, const float *x,
                                  int ldx, float *z, int ldz, const float *bias, const float *cprev, float *c,
                                  float *tanhc, float *h, int lds) {
    if (!supported(build)) return;
    builds[build].forward_half(packed, k, units, rows, x, ldx, z, ldz, bias, cprev, c, tanhc, h, lds);
}

void cadenza_product_step_on(int build, const float *packed, int k, int units, int rows, const float *x, int ldx,
                             float *z, int ldz) {
    if (!supported(build)) return;
    builds[build].product(packed, k, units, rows, x, ldx, z, ldz);
}

void cadenza_product_half_step_on(int build, const uint16_t *packed, int k, int units, int rows, const float *x,
                                  int ldx, float *z, int ldz) {
    if (!supported(build)) return;
    builds[build].product_half(packed, k, units, rows, x, ldx, z, ldz);
}

void cadenza_backward_step_on(int build, const float *packed, int k, int units, int rows, const float *dz_next,
                              int lddz, float *dh, float *gates, int ldg, float *dc, const float *tanhc,
                              const float *cprev, int lds) {
    if (!supported(build)) return;
    builds[build].backward(packed, k, units, rows, dz_next, lddz, dh, gates, ldg, dc, tanhc, cprev, lds);
}

void cadenza_forward_step(const float *packed, int k, int units, int rows, const float *x, int ldx, float *z, int ldz,
                          const float *bias, const float *cprev, float *c, float *tanhc, float *h, int lds) {
    pthread_once(&chosen, choose);
    chosen_build->forward(packed, k, units, rows, x, ldx, z, ldz, bias, cprev, c, tanhc, h, lds);
}

void cadenza_forward_half_step(const uint16_t *packed, int k, int units, int rows, const float *x, int ldx, float *z,
                               int ldz, const float *bias, const float *cprev, float *c, float *tanhc, float *h,
                               int lds) {
    pthread_once(&chosen, choose);
    chosen_build->forward_half(packed, k, units, rows, x, ldx, z, ldz, bias, cprev, c, tanhc, h, lds);
}

void cadenza_product_step(const float *packed, int k, int units, int rows, const float *x, int ldx, float *z, int ldz) {
    pthread_once(&chosen, choose);
    chosen_build->product(packed, k, units, rows, x, ldx, z, ldz);
}

void cadenza_product_half_step(const uint16_t *packed, int k, int units, int rows, const float *x, int ldx, float *z,
                               int ldz) {
    pthread_once(&chosen, choose);
    chosen_build->product_half(packed, k, units, rows, x, ldx, z, ldz);
}

void cadenza_backward_step(const float *packed, int k, int units, int rows, const float *dz_next, int lddz, float *dh,
                           float *gates, int ldg, float *dc, const float *tanhc, const float *cprev, int lds) {
    pthread_once(&chosen, choose);
    chosen_build->backward(packed, k, units, rows, dz_next, lddz, dh, gates, ldg, dc, tanhc, cprev, lds);
}

const char *cadenza_recurrent_kernel_isa(void) {
    pthread_once(&chosen, choose);
    return chosen_build->name;
}
