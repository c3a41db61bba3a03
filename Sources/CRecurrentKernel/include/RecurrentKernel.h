// Cadenza's recurrent LSTM kernel: the per-time-step product with W_hh and the cell's gate
// math fused, on weights packed once per optimizer step (training) or once per model (inference).
//
// Layout conventions (the trainer's and inference's "grouped" order): a team member owns
// `units` hidden units; its gate pre-activations for one row are [i | f | g | o], each
// `units` wide (gate g of local unit j at g*units + j). State rows (c, h, tanh c, dh, dc)
// hold the member's units from local unit 0.
#ifndef CADENZA_RECURRENT_KERNEL_H
#define CADENZA_RECURRENT_KERNEL_H
#include <stddef.h>
#include <stdint.h>

// Floats a forward pack of `units` units over `k` inputs holds (padded to blocks of 8 units).
size_t cadenza_forward_pack_count(int k, int units);

// Packs the forward weights. Row (gate g, unit j) of the product is `w + (g*gate_stride + j)*ldw`
// (k floats); PyTorch's W_hh for units u0.. is w = W_hh + u0*H, gate_stride = H, ldw = H.
void cadenza_forward_pack(float *packed, const float *w, int ldw, int gate_stride, int k, int units);

// One time step forward for `rows` rows:
//   z[r] += x[r] @ W^T  (x is (rows, k), row r at x + r*ldx; z row r at z + r*ldz)
//   i, f, g, o = sigma, sigma, tanh, sigma of z + bias (bias: 4*units grouped, or NULL)
//   c = f*cprev + i*g;  h = o*tanh(c)
// z receives the activations [i|f|g|o] (the backward needs them). c may alias cprev; tanhc
// may be NULL. State rows at r*lds.
void cadenza_forward_step(const float *packed, int k, int units, int rows,
                          const float *x, int ldx, float *z, int ldz, const float *bias,
                          const float *cprev, float *c, float *tanhc, float *h, int lds);

// The forward pack with F16 weights (the same layout and count, 2 bytes each), for inference
// on a model whose weights are F16 values (a checkpoint saved with --dtype f16): the step
// widens them exactly as it loads, so it computes what cadenza_forward_step computes on the
// F32 pack, reading half the bytes. Returns 1, or 0 when a weight is not exactly an F16 value
// (nothing is rounded; the pack is then unusable and the caller keeps the F32 one).
int cadenza_forward_pack_half(uint16_t *packed, const float *w, int ldw, int gate_stride, int k, int units);

// cadenza_forward_step on a pack from cadenza_forward_pack_half.
void cadenza_forward_half_step(const uint16_t *packed, int k, int units, int rows,
                               const float *x, int ldx, float *z, int ldz, const float *bias,
                               const float *cprev, float *c, float *tanhc, float *h, int lds);

// The product alone on a forward pack (F32 or F16), no cell: z[r] += x[r] @ W^T for the 4*units
// outputs [gate 0 | gate 1 | gate 2 | gate 3] of each row, each output summed over k in order
// from its value in z (the head's logits: the bias in z, W's rows packed as 4 "gates" of
// `units` rows). Every output gets the same bits whatever the row count or tile.
void cadenza_product_step(const float *packed, int k, int units, int rows, const float *x, int ldx, float *z, int ldz);
void cadenza_product_half_step(const uint16_t *packed, int k, int units, int rows, const float *x, int ldx, float *z,
                               int ldz);

// Floats a backward pack of `units` units over `k` gate columns holds (padded to blocks of 16).
size_t cadenza_backward_pack_count(int k, int units);

// Packs W_hh[:, u0 ..< u0+units] for the backward product: product row kk (dz's column kk)
// is PyTorch row source_rows[kk]; w = W_hh + u0, ldw = H.
void cadenza_backward_pack(float *packed, const float *w, int ldw, const int *source_rows, int k, int units);

// One time step backward for `rows` rows (k = 0 skips the product, for the last step):
//   dh[r] += dz_next[r] @ W_hh[:, U]           (dz_next row r at dz_next + r*lddz, k wide)
//   from h = o*tanh(c):      do = dh*tanh(c);  dc += dh*o*(1 - tanh(c)^2)
//   from c = f*cprev + i*g:  di = dc*g, dg = dc*i, df = dc*cprev, dc_prev = dc*f
//   through the activations: gates receive [dzi | dzf | dzg | dzo]; dc receives dc_prev.
// gates row r at gates + r*ldg; dh, dc, tanhc, cprev rows at r*lds.
void cadenza_backward_step(const float *packed, int k, int units, int rows,
                           const float *dz_next, int lddz, float *dh, float *gates, int ldg,
                           float *dc, const float *tanhc, const float *cprev, int lds);

// Which instruction set the kernel runs on ("avx512vl", "avx2+fma", "portable"), for reports.
const char *cadenza_recurrent_kernel_isa(void);

// For tests: the builds in this binary (index 0 ..< count), whether this CPU runs build i,
// its name, and a step on build i whatever the dispatch chose (so every build this CPU can
// run is checked, not only the fastest).
int cadenza_recurrent_build_count(void);
int cadenza_recurrent_build_supported(int i);
const char *cadenza_recurrent_build_name(int i);
void cadenza_forward_step_on(int build, const float *packed, int k, int units, int rows,
                             const float *x, int ldx, float *z, int ldz, const float *bias,
                             const float *cprev, float *c, float *tanhc, float *h, int lds);
void cadenza_forward_half_step_on(int build, const uint16_t *packed, int k, int units, int rows,
                                  const float *x, int ldx, float *z, int ldz, const float *bias,
                                  const float *cprev, float *c, float *tanhc, float *h, int lds);
void cadenza_product_step_on(int build, const float *packed, int k, int units, int rows, const float *x, int ldx,
                             float *z, int ldz);
void cadenza_product_half_step_on(int build, const uint16_t *packed, int k, int units, int rows, const float *x,
                                  int ldx, float *z, int ldz);
void cadenza_backward_step_on(int build, const float *packed, int k, int units, int rows,
                              const float *dz_next, int lddz, float *dh, float *gates, int ldg,
                              float *dc, const float *tanhc, const float *cprev, int lds);

#endif
