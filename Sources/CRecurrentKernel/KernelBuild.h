// One instruction set's kernels, included by RecurrentKernel.c with ISA (the suffix of the
// function names) and KernelBody.h's parameters defined: the body for F32 weights (training
// and inference), then again for F16 weights (HALF_WEIGHTS: the forward step only, for
// inference on models whose weights are F16 values, as `cadenza train --dtype f16` saves
// them). Undefines the parameters at the end, so the next instruction set defines them afresh.
#define KERNEL_CAT_(a, b) a##_##b
#define KERNEL_CAT(a, b) KERNEL_CAT_(a, b)

#define NAME(x) KERNEL_CAT(x, ISA)
#include "KernelBody.h"

#define HALF_WEIGHTS 1
#define NAME(x) KERNEL_CAT(x, KERNEL_CAT(ISA, half))
#include "KernelBody.h"
#undef HALF_WEIGHTS

#undef ISA
#undef FWD_ROWS
#undef FWD_GATE_PASSES
#undef FWD_BLOCKS
#undef BWD_ROWS
#undef WIDE_TILES
#undef FWD_WIDE_PAIRS
